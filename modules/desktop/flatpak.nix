# Flatpak for desktop applications nixpkgs lacks or ships late, sandboxed and from Flathub. The
# Flathub remote is added once by a oneshot unit, so a fresh host can `flatpak install` at once.
# Flatpak needs an XDG portal (NixOS asserts xdg.portal.enable): GNOME, sway and Hyprland bring
# theirs, so this module does not switch one on by itself.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.flatpak;
in
{
  options.hub.features.flatpak = {
    flathub = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Add the Flathub remote system-wide at boot.";
    };
  };

  config = lib.mkIf cfg.enable {
    services.flatpak.enable = true;
    systemd.services.flatpak-flathub = lib.mkIf cfg.flathub {
      description = "Add the Flathub Flatpak remote";
      wantedBy = [ "multi-user.target" ];
      wants = [ "network-online.target" ];
      after = [ "network-online.target" ];
      path = [ pkgs.flatpak ];
      script = "flatpak remote-add --system --if-not-exists flathub https://dl.flathub.org/repo/flathub.flatpakrepo";
      serviceConfig = {
        Type = "oneshot";
        RemainAfterExit = true;
        # Writes only /var/lib/flatpak; needs the network and nothing of the users'.
        ProtectSystem = "strict";
        ReadWritePaths = [ "/var/lib/flatpak" ];
        ProtectHome = true;
        PrivateTmp = true;
        NoNewPrivileges = true;
      };
    };
  };
}
