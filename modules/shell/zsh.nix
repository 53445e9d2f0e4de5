# Zsh for the admin user, configured system-wide (/etc/zshrc) so every host's shell behaves the
# same without a dotfile: shared, deduplicated history, menu completion that ignores case,
# autosuggestions from history then completion, oh-my-zsh plugins, and emacs-style line editing
# with the history search bound to the arrow keys. Every opinion is mkDefault.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.zsh;
in
{
  options.hub.features.zsh = {
    adminShell = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Make Zsh the login shell of the admin user (hub.features.users.adminUser).";
    };
    historySize = lib.mkOption {
      type = lib.types.ints.positive;
      default = 100000;
      description = "Lines of history kept in memory and in $HOME/.zsh_history (HISTSIZE and SAVEHIST).";
    };
    plugins = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ "git" "sudo" "colored-man-pages" "extract" ];
      description = "oh-my-zsh plugins (its prompt theme stays off: the prompt is starship's or Zsh's own).";
    };
    aliases = lib.mkOption {
      type = lib.types.attrsOf lib.types.str;
      default = { ll = "ls -lh"; la = "ls -lAh"; ".." = "cd .."; gs = "git status -sb"; };
      description = "Shell aliases for Zsh.";
    };
  };

  config = lib.mkIf cfg.enable {
    programs.zsh = {
      enable = true;
      enableCompletion = lib.mkDefault true;
      histSize = lib.mkDefault cfg.historySize;
      setOptions = lib.mkDefault [
        "SHARE_HISTORY" # every shell appends and reads the one history file
        "HIST_IGNORE_ALL_DUPS" # a repeated command replaces its older copy
        "HIST_IGNORE_SPACE" # a command typed with a leading space is not recorded
        "HIST_REDUCE_BLANKS"
        "HIST_FCNTL_LOCK"
        "EXTENDED_HISTORY" # timestamps and durations
        "AUTO_CD"
        "INTERACTIVE_COMMENTS"
        "NO_BEEP"
      ];
      autosuggestions = {
        enable = lib.mkDefault true;
        strategy = lib.mkDefault [ "history" "completion" ];
      };
      syntaxHighlighting = {
        enable = lib.mkDefault true;
        highlighters = lib.mkDefault [ "main" "brackets" ];
      };
      ohMyZsh = {
        enable = lib.mkDefault (cfg.plugins != [ ]);
        plugins = cfg.plugins;
      };
      # Above environment.shellAliases' own mkDefault ll/ls (equal priorities would conflict).
      shellAliases = lib.mapAttrs (_: lib.mkOverride 900) cfg.aliases;
      interactiveShellInit = ''
        # Completion: a menu, case-insensitive and partial-word matching, grouped by kind, cached.
        zstyle ':completion:*' menu select
        zstyle ':completion:*' matcher-list 'm:{a-zA-Z}={A-Za-z}' 'r:|[._-]=* r:|=*'
        zstyle ':completion:*' group-name '''
        zstyle ':completion:*:descriptions' format '%F{yellow}-- %d --%f'
        zstyle ':completion:*' use-cache on
        zstyle ':completion:*' cache-path "''${XDG_CACHE_HOME:-$HOME/.cache}/zsh/zcompcache"

        # Key bindings: emacs mode; Up/Down search history by what is typed; Ctrl-arrows move
        # by word; Ctrl-X Ctrl-E edits the line in $EDITOR.
        bindkey -e
        autoload -U up-line-or-beginning-search down-line-or-beginning-search edit-command-line
        zle -N up-line-or-beginning-search
        zle -N down-line-or-beginning-search
        zle -N edit-command-line
        bindkey '^[[A' up-line-or-beginning-search
        bindkey '^[[B' down-line-or-beginning-search
        bindkey '^[[1;5C' forward-word
        bindkey '^[[1;5D' backward-word
        bindkey '^X^E' edit-command-line
      '';
    };
    users.users = lib.mkIf (cfg.adminShell && config.hub.features.users.enable) {
      ${config.hub.features.users.adminUser}.shell = pkgs.zsh;
    };
  };
}
