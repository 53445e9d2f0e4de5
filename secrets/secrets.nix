# agenix rules: which keys can decrypt which secret. Read by the agenix NixOS module (hosts) and
# by `mage secrets:*` (the hub). The host keys below are DEMO keys generated for this repository;
# their private halves were thrown away. Replace each with your host's real key:
#   ssh-keyscan -t ed25519 <host>        (or: mage secrets:hostKeys)
# and the admin key with yours (age-keygen -y ~/.config/age/key.txt, or your ssh public key),
# then run `mage secrets:rekey`.
let
  p620 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGoLYdi4GcTRmNrFI7xD/30oQi85mzMhI01nfaMaorGg";
  p510 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILIlYi5uxf9yGnahKs8CtfVMBdti8quggkHWixg566B9";
  razer = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEx3uAcNCKKrfwNv1A5rS5tjqbXYzmpC9p8sfEVlIxwb";
  dex5550 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFlfGtqK9gqBLta7YtRey92kZ+55Ml5RKqTKHfnAQa3k";
  samsung = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIrQDVfPkUFhuN3RPmdH7Af1MmO8eGZdh3LPzcng01dR";
  hp = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJWYZbeGTcIh/aQuPea4NRtYtwy8/DqTpjcwxMknL/CJ";

  admin = "age1jmp66x5r9zuljfffzcnthurh36nrdugxky86j3404pacysanpqgqf2uj5q";

  allHosts = [ p620 p510 razer dex5550 samsung hp ];
  media = [ p510 dex5550 ]; # p510 runs the *arr stack; dex5550 scrapes it for the exporters
in
{
  "restic-password.age".publicKeys = allHosts ++ [ admin ];
  # Grafana on dex5550 (modules/monitoring/grafana.nix): the admin password and the key that signs
  # cookies and encrypts data source secrets.
  "grafana-admin.age" = {
    publicKeys = [ dex5550 admin ];
    armor = true;
  };
  "grafana-secret-key.age".publicKeys = [ dex5550 admin ];
  # Alertmanager on dex5550 (modules/monitoring/alertmanager.nix, fleet.toml [alerts]): the SMTP
  # password of the e-mail receivers and the ntfy access token of the phone. DEMO values.
  "alertmanager-smtp-password.age".publicKeys = [ dex5550 admin ];
  "alertmanager-ntfy-token.age".publicKeys = [ dex5550 admin ];
  # nix-serve's signing key on p620, the binary cache (modules/core/binary-cache.nix); its public
  # half is public_key in rotation.toml.
  "binary-cache-key.age".publicKeys = [ p620 admin ];
  # The *arr apps' API keys, owned by the hub: each app takes its key from its environment
  # (modules/lib/servarr-apikey.nix) and the media exporter reads the same file, both on p510 only.
  "sonarr-api-key.age".publicKeys = [ p510 admin ];
  "radarr-api-key.age".publicKeys = [ p510 admin ];
  "lidarr-api-key.age".publicKeys = [ p510 admin ];
  "prowlarr-api-key.age".publicKeys = [ p510 admin ];
  "jellyfin-api-key.age".publicKeys = media ++ [ admin ];
  "wireguard-p620.age".publicKeys = [ p620 admin ];
}
