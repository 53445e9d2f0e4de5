# Roaming networks on laptops and desktops; DNS is handed to systemd-resolved (see resolved.nix).
{ config, lib, ... }:
let
  cfg = config.features.networkmanager;
in
{
  options.features.networkmanager = {
    wifiBackend = lib.mkOption {
      type = lib.types.enum [ "wpa_supplicant" "iwd" ];
      default = "wpa_supplicant";
      description = "Wi-Fi backend NetworkManager drives.";
    };
  };

  config = lib.mkIf cfg.enable {
    networking.networkmanager = {
      enable = true;
      dns = "systemd-resolved";
      wifi.backend = cfg.wifiBackend;
    };
    users.users = lib.mkIf config.features.users.enable {
      ${config.features.users.adminUser}.extraGroups = [ "networkmanager" ];
    };
  };
}
