# internal/installer/layout.nix for a host of the repository, as nix/installer.nix calls it, with the
# hardware file's fileSystems read by hardware.nix: the layout.env text the host's image carries.
{ repo, host }:
let
  hostDir = repo + "/hosts/${host}";
in
(import ../layout.nix {
  hostName = host;
  host = builtins.fromTOML (builtins.readFile (hostDir + "/host.toml"));
  fileSystems = import ./hardware.nix { inherit repo host; };
  secretsNix = builtins.readFile (repo + "/secrets/secrets.nix");
  flake = "/flake";
}).env
