# Atuin: shell history in a local SQLite database with full-text search on Ctrl-R (after fzf's
# binding, which it replaces) and per-directory/session filters. Sync to an Atuin server is off
# by default (history stays on the host; set syncAddress to opt in). The configuration is
# /etc/atuin/config.toml, found through ATUIN_CONFIG_DIR, so a user's ~/.config/atuin is not read
# while systemConfig is on.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.atuin;
in
{
  options.hub.features.atuin = {
    package = lib.mkPackageOption pkgs "atuin" { };
    systemConfig = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Point ATUIN_CONFIG_DIR at /etc/atuin for every user.";
    };
    syncAddress = lib.mkOption {
      type = lib.types.nullOr lib.types.str;
      default = null;
      example = "https://atuin.example.ts.net";
      description = "Atuin sync server; null keeps history on the host (auto_sync off).";
    };
    upArrow = lib.mkOption {
      type = lib.types.bool;
      default = false;
      description = "Bind the Up arrow to Atuin too (off: Up keeps the zsh feature's prefix search).";
    };
  };

  config = lib.mkIf cfg.enable {
    environment.systemPackages = [ cfg.package ];
    environment.etc."atuin/config.toml".text = ''
      auto_sync = ${if cfg.syncAddress == null then "false" else "true"}
      ${lib.optionalString (cfg.syncAddress != null) ''sync_address = "${cfg.syncAddress}"''}
      update_check = false
      search_mode = "fuzzy"
      filter_mode_shell_up_key_binding = "session"
      style = "compact"
      inline_height = 20
      show_preview = true
      enter_accept = false
      secrets_filter = true
    '';
    environment.sessionVariables.ATUIN_CONFIG_DIR = lib.mkIf cfg.systemConfig (lib.mkDefault "/etc/atuin");
    programs.zsh.interactiveShellInit = lib.mkIf config.programs.zsh.enable (lib.mkAfter ''
      eval "$(${lib.getExe cfg.package} init zsh ${lib.optionalString (!cfg.upArrow) "--disable-up-arrow"})"
    '');
  };
}
