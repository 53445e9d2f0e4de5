# nix/installer.nix evaluated against a stand-in for nixpkgs, which the tests do not have: its
# lib has what installer.nix and the flake's host list use, and lib.nixosSystem returns its
# arguments as system.build.isoImage (so the test reads the image's modules) and, for the
# installed system's evaluation, the hardware module's own fileSystems. What comes back is the
# structure of the installer module, not a NixOS evaluation: whether the options exist and
# merge as intended is shown only by iso:build against real nixpkgs.
{ repo, host }:
let
  lib = {
    mkForce = content: { _type = "override"; priority = 50; inherit content; };
    genAttrs = names: f: builtins.listToAttrs (map (name: { inherit name; value = f name; }) names);
    filterAttrs = pred: set: builtins.listToAttrs (builtins.concatMap (name:
      if pred name set.${name} then [ { inherit name; value = set.${name}; } ] else [ ]) (builtins.attrNames set));
    nixosSystem = args: {
      config = {
        fileSystems = (import (builtins.head args.modules) {
          config = { };
          inherit lib;
          pkgs = { };
          modulesPath = "/no-nixpkgs/nixos/modules";
        }).fileSystems;
        system.build.isoImage = args;
      };
    };
  };
  nixpkgs = { inherit lib; outPath = "/no-nixpkgs"; };
  # The flake's source as the flake passes it (root = ./.): here the checkout itself; the
  # evaluation is read-only, so "${root}" is the store path it would have, nothing is copied.
  root = repo;
  image = import (repo + "/nix/installer.nix") { inherit nixpkgs root; } host;
  installer = builtins.elemAt image.modules 2 {
    config.lib.isoFileSystems = { "/iso" = "the image's own mounts"; };
    pkgs = { };
    inherit lib;
  };
  flake = let outputs = (import (repo + "/flake.nix")).outputs; in
    outputs (builtins.mapAttrs (name: _: if name == "nixpkgs" then nixpkgs else { }) (builtins.functionArgs outputs));
in
{
  inherit (image) system;
  base = builtins.elemAt image.modules 0;
  fileSystems = installer.fileSystems;
  swapDevices = installer.swapDevices;
  imageBaseName = installer.image.baseName;
  isoImage = installer.isoImage or null;
  layoutEnv = installer.environment.etc."hub-install/layout.env".text;
  source = "${root}";
  # The configurations the carried flake defines: FLAKE#<host> must be one of them.
  nixosConfigurations = builtins.attrNames flake.nixosConfigurations;
}
