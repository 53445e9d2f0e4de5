# The command-line tools a developer reaches for on any host, configured rather than only
# installed: fzf's Ctrl-R/Ctrl-T/Alt-C bindings and ** completion in Zsh, fd as fzf's file
# source (respects .gitignore), ripgrep's and bat's defaults through their config files in /etc,
# zoxide's `z` jumps. Every opinion is mkDefault.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.cli-tools;
in
{
  options.hub.features.cli-tools = {
    extraPackages = lib.mkOption {
      type = lib.types.listOf lib.types.package;
      default = [ ];
      description = "Further command-line tools for this host.";
    };
    ripgrepArgs = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ "--smart-case" "--hidden" "--glob=!.git/" "--max-columns=200" "--max-columns-preview" ];
      description = "Lines of ripgrep's configuration file (RIPGREP_CONFIG_PATH=/etc/ripgreprc).";
    };
  };

  config = lib.mkIf cfg.enable {
    environment.systemPackages = [
      pkgs.ripgrep
      pkgs.fd
      pkgs.bat
      pkgs.eza
      pkgs.jq
      pkgs.zoxide
      pkgs.btop
      pkgs.du-dust
      pkgs.tealdeer
      pkgs.tree
      pkgs.file
      pkgs.unzip
      pkgs.wget
    ] ++ cfg.extraPackages;
    programs.fzf = {
      keybindings = lib.mkDefault true;
      fuzzyCompletion = lib.mkDefault true;
    };
    environment.etc."ripgreprc".text = lib.concatStringsSep "\n" cfg.ripgrepArgs + "\n";
    environment.etc."bat/config".text = lib.mkDefault ''
      --style=numbers,changes,header
      --paging=auto
    '';
    environment.sessionVariables = {
      RIPGREP_CONFIG_PATH = lib.mkDefault "/etc/ripgreprc";
      BAT_CONFIG_PATH = lib.mkDefault "/etc/bat/config";
      FZF_DEFAULT_COMMAND = lib.mkDefault "fd --type f --hidden --exclude .git";
      FZF_CTRL_T_COMMAND = lib.mkDefault "fd --type f --hidden --exclude .git";
      FZF_ALT_C_COMMAND = lib.mkDefault "fd --type d --hidden --exclude .git";
      FZF_DEFAULT_OPTS = lib.mkDefault "--height 40% --layout=reverse --border";
    };
    programs.zsh.interactiveShellInit = lib.mkIf config.programs.zsh.enable ''
      eval "$(${pkgs.zoxide}/bin/zoxide init zsh)"
    '';
    # 900: above nixpkgs' own mkDefault ls alias (equal priorities would conflict), below a host's.
    environment.shellAliases = {
      cat = lib.mkOverride 900 "bat --paging=never";
      ls = lib.mkOverride 900 "eza --group-directories-first";
      tree = lib.mkOverride 900 "eza --tree";
    };
  };
}
