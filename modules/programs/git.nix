# git with a system-wide /etc/gitconfig, so a fresh user on any host gets the fleet's defaults:
# main as the first branch, rebase on pull, histogram diffs with moved-line colouring, zdiff3
# conflicts, rerere, pruning on fetch, signing-free. Users' own ~/.gitconfig still wins. Every
# opinion is mkDefault.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.git;
in
{
  options.hub.features.git = {
    package = lib.mkPackageOption pkgs "git" { example = "gitFull"; };
    lfs = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Install git-lfs and its filter configuration.";
    };
    settings = lib.mkOption {
      type = lib.types.attrsOf (lib.types.attrsOf lib.types.anything);
      default = { };
      description = "Further /etc/gitconfig sections, merged over the hub's.";
    };
  };

  config = lib.mkIf cfg.enable {
    programs.git = {
      enable = true;
      package = cfg.package;
      lfs.enable = lib.mkDefault cfg.lfs;
      config = lib.mkMerge [
        (lib.mapAttrs (_: lib.mapAttrs (_: lib.mkDefault)) {
          init.defaultBranch = "main";
          pull.rebase = true;
          rebase = { autoStash = true; autoSquash = true; updateRefs = true; };
          fetch = { prune = true; pruneTags = true; };
          push = { autoSetupRemote = true; followTags = true; };
          diff = { algorithm = "histogram"; colorMoved = "default"; };
          merge.conflictStyle = "zdiff3";
          rerere.enabled = true;
          branch.sort = "-committerdate";
          column.ui = "auto";
          help.autocorrect = "prompt";
          core.pager = "less -FRX";
        })
        cfg.settings
      ];
    };
  };
}
