# A host's hardware-configuration.nix read as the plain attribute set nixos-generate-config
# writes, without nixpkgs' module system (which the tests do not have): its own fileSystems.
# nix/installer.nix reads the same file through the module system instead.
{ repo, host }:
(import (repo + "/hosts/${host}/hardware-configuration.nix") {
  config = { };
  lib = { };
  pkgs = { };
  modulesPath = "/no-nixpkgs/nixos/modules";
}).fileSystems
