# Sway, the i3-compatible Wayland compositor, for hosts that want a tiling desktop without GNOME.
# The GTK wrapper makes GTK apps pick up their themes. NixOS' sway module brings the wlr and GTK
# portals (screen sharing for browsers and calls) and swaylock's PAM service itself
# (programs/wayland/wayland-session.nix). Starts from greetd (feature greetd).
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.sway;
in
{
  options.hub.features.sway = {
    extraPackages = lib.mkOption {
      type = lib.types.listOf lib.types.package;
      default = [ ];
      description = "Packages added to the default sway session set (terminal, launcher, locker, bar).";
    };
  };

  config = lib.mkIf cfg.enable {
    programs.sway = {
      enable = true;
      wrapperFeatures.gtk = lib.mkDefault true;
      extraPackages = [ pkgs.foot pkgs.fuzzel pkgs.swaylock pkgs.swayidle pkgs.waybar pkgs.mako pkgs.grim pkgs.slurp pkgs.wl-clipboard ]
        ++ cfg.extraPackages;
    };
    hub.features.greetd.command = lib.mkDefault "sway";
  };
}
