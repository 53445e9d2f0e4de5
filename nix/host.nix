# One host's nixosSystem, built from hosts/<name>/: default.nix for what is truly specific to the
# machine, hardware-configuration.nix from nixos-generate-config, and host.toml for the system,
# hardware profile and features (read with builtins.fromTOML, the same file pkg/inventory reads).
{ nixpkgs, agenix, lanzaboote, overlay, root, revision ? null }:
name:
let
  hostDir = root + "/hosts/${name}";
  toml = builtins.fromTOML (builtins.readFile (hostDir + "/host.toml"));
  fleetFile = root + "/hosts/fleet.toml";
  fleet = if builtins.pathExists fleetFile then builtins.fromTOML (builtins.readFile fleetFile) else { };
  registry = builtins.fromTOML (builtins.readFile (root + "/modules/features.toml"));
in
nixpkgs.lib.nixosSystem {
  modules = [
    # Imported on every host so the agenix and secure-boot feature modules can set their options;
    # both stay inert unless a feature enables them.
    agenix.nixosModules.default
    lanzaboote.nixosModules.lanzaboote
    (import ./features-module.nix { inherit registry; modulesDir = root + "/modules"; })
    {
      hub.host = { inherit name toml fleet; };
      # Provenance for hub-nixos-exporter (modules/monitoring/nixos-exporter.nix): the flake's
      # revision and its lock file, when the checkout has one (docs/features.md: not committed
      # until the first networked `nix flake lock`).
      hub.flake = {
        inherit revision;
        lockFile = if builtins.pathExists (root + "/flake.lock") then root + "/flake.lock" else null;
      };
      nixpkgs.overlays = [ overlay ];
    }
    (hostDir + "/hardware-configuration.nix")
    (hostDir + "/default.nix")
  ];
}
