# Roaming networks on laptops and desktops. Where NetworkManager sends DNS (to systemd-resolved,
# into /etc/resolv.conf itself, or nowhere) follows the host's owner of /etc/resolv.conf,
# decided by feature dns (dns.nix).
{ config, lib, ... }:
let
  cfg = config.hub.features.networkmanager;
in
{
  options.hub.features.networkmanager = {
    wifiBackend = lib.mkOption {
      type = lib.types.enum [ "wpa_supplicant" "iwd" ];
      default = "wpa_supplicant";
      description = "Wi-Fi backend NetworkManager drives.";
    };
  };

  config = lib.mkIf cfg.enable {
    networking.networkmanager = {
      enable = true;
      wifi.backend = cfg.wifiBackend;
    };
    users.users = lib.mkIf config.hub.features.users.enable {
      ${config.hub.features.users.adminUser}.extraGroups = [ "networkmanager" ];
    };
  };
}
