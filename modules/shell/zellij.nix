# Zellij, for those who prefer it to tmux. NixOS 25.11 has no zellij module: the configuration and
# a default layout live in /etc/zellij, found through ZELLIJ_CONFIG_DIR (a user's own
# ~/.config/zellij is then not read; set hub.features.zellij.systemConfig = false to keep it).
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.zellij;
in
{
  options.hub.features.zellij = {
    package = lib.mkPackageOption pkgs "zellij" { };
    systemConfig = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Point ZELLIJ_CONFIG_DIR at /etc/zellij for every user.";
    };
    configKdl = lib.mkOption {
      type = lib.types.lines;
      default = ''
        default_layout "dev"
        default_mode "normal"
        pane_frames false
        mouse_mode true
        copy_on_select true
        scroll_buffer_size 50000
        session_serialization true
        show_startup_tips false
        keybinds {
          normal {
            bind "Alt h" { MoveFocusOrTab "Left"; }
            bind "Alt l" { MoveFocusOrTab "Right"; }
            bind "Alt j" { MoveFocus "Down"; }
            bind "Alt k" { MoveFocus "Up"; }
            bind "Alt n" { NewPane; }
            bind "Alt f" { ToggleFloatingPanes; }
          }
        }
      '';
      description = "config.kdl: options and key bindings (Alt-h/j/k/l move focus, Alt-n new pane, Alt-f floating panes).";
    };
    layout = lib.mkOption {
      type = lib.types.lines;
      default = ''
        layout {
          default_tab_template {
            pane size=1 borderless=true { plugin location="zellij:tab-bar"; }
            children
            pane size=2 borderless=true { plugin location="zellij:status-bar"; }
          }
          tab name="edit" focus=true { pane command="nvim"; }
          tab name="shell" { pane split_direction="vertical" { pane; pane; } }
        }
      '';
      description = "The \"dev\" layout: an editor tab and a tab of two shells.";
    };
  };

  config = lib.mkIf cfg.enable {
    environment.systemPackages = [ cfg.package ];
    environment.etc."zellij/config.kdl".text = cfg.configKdl;
    environment.etc."zellij/layouts/dev.kdl".text = cfg.layout;
    environment.sessionVariables.ZELLIJ_CONFIG_DIR = lib.mkIf cfg.systemConfig (lib.mkDefault "/etc/zellij");
  };
}
