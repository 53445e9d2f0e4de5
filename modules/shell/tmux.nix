# tmux keeps long builds and deploys alive across SSH drops. Prefix C-a, windows from 1, vi copy
# mode, splits that keep the current directory, mouse, and plugins (sensible defaults, saved and
# restored sessions, yank to the system clipboard); `tmux attach` makes the "main" session when
# none is running. Every opinion is mkDefault.
{ config, lib, pkgs, ... }:
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
    prefix = lib.mkOption {
      type = lib.types.str;
      default = "a";
      description = "The prefix is Ctrl and this key.";
    };
    plugins = lib.mkOption {
      type = lib.types.listOf lib.types.package;
      default = [ pkgs.tmuxPlugins.sensible pkgs.tmuxPlugins.yank pkgs.tmuxPlugins.resurrect pkgs.tmuxPlugins.continuum ];
      defaultText = lib.literalExpression "with pkgs.tmuxPlugins; [ sensible yank resurrect continuum ]";
      description = "tmux plugins (pkgs.tmuxPlugins), run in order after the configuration.";
    };
    session = lib.mkOption {
      type = lib.types.str;
      default = "main";
      description = "Name of the session `tmux attach` creates when there is none.";
    };
  };

  config = lib.mkIf cfg.enable {
    programs.tmux = {
      enable = true;
      clock24 = lib.mkDefault true;
      historyLimit = lib.mkDefault cfg.historyLimit;
      keyMode = lib.mkDefault "vi";
      terminal = lib.mkDefault "tmux-256color";
      shortcut = lib.mkDefault cfg.prefix;
      baseIndex = lib.mkDefault 1;
      escapeTime = lib.mkDefault 10;
      aggressiveResize = lib.mkDefault true;
      customPaneNavigationAndResize = lib.mkDefault true;
      plugins = cfg.plugins;
      extraConfigBeforePlugins = ''
        set -g @continuum-restore 'on'
        set -g @resurrect-capture-pane-contents 'on'
      '';
      extraConfig = ''
        set -g mouse on
        set -g renumber-windows on
        set -g set-titles on
        set -g focus-events on
        set -ag terminal-overrides ",xterm-256color:RGB"

        # Splits and new windows open in the pane's directory; r reloads this file.
        bind | split-window -h -c "#{pane_current_path}"
        bind - split-window -v -c "#{pane_current_path}"
        bind c new-window -c "#{pane_current_path}"
        bind r source-file /etc/tmux.conf \; display-message "tmux.conf reloaded"
        bind -T copy-mode-vi v send-keys -X begin-selection

        # `tmux attach` with no server running creates the default session instead of failing.
        new-session -A -d -s ${cfg.session}
      '';
    };
  };
}
