# One host's nixosSystem, built from hosts/<name>/: default.nix for what is truly specific to the
# machine, hardware-configuration.nix from nixos-generate-config, and host.toml for the system,
# hardware profile and features (read with builtins.fromTOML, the same file internal/inventory reads).
{ nixpkgs, agenix, lanzaboote, microvm, overlay, root, revision ? null }:
name:
let
  hostDir = root + "/hosts/${name}";
  toml = builtins.fromTOML (builtins.readFile (hostDir + "/host.toml"));
  fleetFile = root + "/hosts/fleet.toml";
  fleet = if builtins.pathExists fleetFile then builtins.fromTOML (builtins.readFile fleetFile) else { };
  registry = builtins.fromTOML (builtins.readFile (root + "/modules/features.toml"));
  featuresModule = import ./features-module.nix { inherit registry; modulesDir = root + "/modules"; };
in
nixpkgs.lib.nixosSystem {
  modules = [
    # Imported on every host so the agenix and secure-boot feature modules can set their options;
    # both stay inert unless a feature enables them.
    agenix.nixosModules.default
    lanzaboote.nixosModules.lanzaboote
    # microvm.nix's host half (microvm.vms, microvm@NAME units); off unless feature "microvm".
    microvm.nixosModules.host
    featuresModule
    {
      hub.host = { inherit name toml fleet; };
      # What each [[microvm]] guest is built from (modules/virtualization/microvm.nix): the guest
      # half of microvm.nix and the same hub modules as a host, so the registry applies to guests.
      hub.features.microvm.guestModules = [
        microvm.nixosModules.microvm
        agenix.nixosModules.default
        lanzaboote.nixosModules.lanzaboote
        featuresModule
        { nixpkgs.overlays = [ overlay ]; }
      ];
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
