# Hyprland, the animated tiling Wayland compositor. The NixOS module installs its own portal
# (xdg-desktop-portal-hyprland) and the session file; XWayland stays on for X11-only apps; the
# lock screen and idle daemon are hyprlock and hypridle. Starts from greetd (feature greetd).
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.hyprland;
in
{
  options.hub.features.hyprland = {
    xwayland = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Run X11 applications through XWayland.";
    };
  };

  config = lib.mkIf cfg.enable {
    programs.hyprland = {
      enable = true;
      xwayland.enable = lib.mkDefault cfg.xwayland;
    };
    # hyprlock's module also starts hypridle and adds hyprlock's PAM service.
    programs.hyprlock.enable = lib.mkDefault true;
    # Electron and Chromium apps render natively on Wayland instead of through XWayland.
    environment.sessionVariables.NIXOS_OZONE_WL = lib.mkDefault "1";
    environment.systemPackages = [ pkgs.kitty pkgs.fuzzel pkgs.waybar pkgs.mako pkgs.wl-clipboard ];
    hub.features.greetd.command = lib.mkDefault "Hyprland";
  };
}
