# Documentation for developers: the man pages in packages' devman outputs (section 3 for C
# libraries, the POSIX pages), man-pages-posix, and a man index so `man -k` / apropos work.
# Building the index adds a minute to each system build, which is why it is a feature.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.dev-docs;
in
{
  options.hub.features.dev-docs = {
    manIndex = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Generate the man page index caches (apropos, man -k) at build time.";
    };
  };

  config = lib.mkIf cfg.enable {
    documentation.dev.enable = lib.mkDefault true;
    documentation.man.generateCaches = lib.mkDefault cfg.manIndex;
    environment.systemPackages = [ pkgs.man-pages pkgs.man-pages-posix ];
  };
}
