# tmux keeps long builds and deploys alive across SSH drops.
{ config, lib, ... }:
let
  cfg = config.hub.features.tmux;
in
{
  options.hub.features.tmux = {
    historyLimit = lib.mkOption {
      type = lib.types.ints.positive;
      default = 50000;
      description = "Lines of scrollback kept per pane.";
    };
  };

  config = lib.mkIf cfg.enable {
    programs.tmux = {
      enable = true;
      clock24 = true;
      historyLimit = cfg.historyLimit;
      keyMode = "vi";
      terminal = "tmux-256color";
    };
  };
}
