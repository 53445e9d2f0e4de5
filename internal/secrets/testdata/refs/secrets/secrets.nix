# Secrets of the references fixture: "known" is listed and exists, "listed-only" is listed but
# its file was never created.
let
  h1 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGoLYdi4GcTRmNrFI7xD/30oQi85mzMhI01nfaMaorGg";
in
{
  "known.age".publicKeys = [ h1 ];
  "listed-only.age".publicKeys = [ h1 ];
}
