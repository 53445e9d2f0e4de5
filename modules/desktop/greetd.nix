# greetd with tuigreet: a small display manager for compositors that bring none (sway, Hyprland),
# instead of GDM and its GNOME dependencies. tuigreet remembers the last user and session.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.greetd;
in
{
  options.hub.features.greetd = {
    command = lib.mkOption {
      type = lib.types.str;
      default = "sway";
      description = "Session command tuigreet starts after login (set by the sway and hyprland features).";
    };
  };

  config = lib.mkIf cfg.enable {
    services.greetd = {
      enable = true;
      settings.default_session = {
        command = lib.mkDefault "${pkgs.tuigreet}/bin/tuigreet --time --remember --remember-session --cmd ${cfg.command}";
        user = lib.mkDefault "greeter";
      };
    };
  };
}
