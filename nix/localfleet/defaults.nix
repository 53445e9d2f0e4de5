# Parameters used when the flake is evaluated from the repository rather than from a fleet's
# state directory: the six hosts on their default loopback addresses.
let
  host = n: { address = "127.0.10.${toString n}"; port = 22; system = "x86_64-linux"; };
in
{
  state = "/tmp/hub-localfleet";
  hosts = {
    p620 = host 1;
    p510 = host 2;
    razer = host 3;
    dex5550 = host 4;
    samsung = host 5;
    hp = host 6;
  };
}
