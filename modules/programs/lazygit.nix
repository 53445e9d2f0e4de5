# lazygit, the terminal UI for git, with its system configuration in /etc/xdg/lazygit: nerd font
# icons only when the nerd-fonts feature installs them, delta-free side-by-side diffs, no update
# checks (Nix owns the version), and the editor of the neovim feature.
{ config, lib, ... }:
let
  cfg = config.hub.features.lazygit;
in
{
  options.hub.features.lazygit = {
    settings = lib.mkOption {
      type = lib.types.attrs;
      default = { };
      description = "lazygit config.yml settings merged over the hub's (top level).";
    };
  };

  config = lib.mkIf cfg.enable {
    programs.lazygit = {
      enable = true;
      settings = lib.mapAttrs (_: lib.mkDefault) {
        gui = {
          nerdFontsVersion = if config.hub.features.nerd-fonts.enable then "3" else "";
          showFileTree = true;
          showRandomTip = false;
        };
        git = { paging.colorArg = "always"; autoFetch = true; parseEmoji = false; };
        update.method = "never";
        disableStartupPopups = true;
        os.editPreset = if config.hub.features.neovim.enable then "nvim" else "";
      } // cfg.settings;
    };
  };
}
