# The development umbrella: what every development host has whatever its languages (the
# registry's requires: git, direnv, cli-tools, lang-nix, lang-shell), plus the build essentials
# projects' Makefiles assume. Languages are features of their own (lang-*, nix/languages.nix),
# each with a devShell of the same toolchain (`go tool mage dev:shell NAME`).
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.development;
in
{
  options.hub.features.development = {
    extraPackages = lib.mkOption {
      type = lib.types.listOf lib.types.package;
      default = [ ];
      description = "Further development tools for this host.";
    };
  };

  config = lib.mkIf cfg.enable {
    environment.systemPackages = [
      pkgs.gnumake
      pkgs.just
      pkgs.gh
      pkgs.hyperfine
      pkgs.tokei
      pkgs.watchexec
      pkgs.editorconfig-checker
    ] ++ cfg.extraPackages;
    # inotify watches: language servers, watchexec and IDEs watch whole trees; the kernel default
    # (8192 on small machines) runs out in one monorepo.
    boot.kernel.sysctl."fs.inotify.max_user_watches" = lib.mkDefault 524288;
    boot.kernel.sysctl."fs.inotify.max_user_instances" = lib.mkDefault 1024;
  };
}
