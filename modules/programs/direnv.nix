# direnv with nix-direnv: a project's `use flake` (or `use flake ~/src/hub#go`, the
# devShells of nix/language-shells.nix) loads when the shell enters the directory and is cached
# as a GC root, so it survives garbage collection and loads instantly. Quiet by default.
{ config, lib, ... }:
let
  cfg = config.hub.features.direnv;
in
{
  options.hub.features.direnv = {
    silent = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Hide direnv's loading/unloading and export lines.";
    };
    trustedPrefixes = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ ];
      example = [ "/home/admin/src/hub" ];
      description = "Directories whose .envrc files direnv loads without `direnv allow`.";
    };
  };

  config = lib.mkIf cfg.enable {
    programs.direnv = {
      enable = true;
      nix-direnv.enable = lib.mkDefault true;
      silent = lib.mkDefault cfg.silent;
      settings.global = {
        # A shell that takes long to build should say so, not look hung.
        warn_timeout = lib.mkDefault "30s";
        hide_env_diff = lib.mkDefault true;
      };
      # .envrc files in these trees are trusted without `direnv allow`: the hub's own checkouts.
      settings.whitelist.prefix = lib.mkDefault cfg.trustedPrefixes;
    };
  };
}
