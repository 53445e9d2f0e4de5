# Syncthing for the admin user's working files between the workstation and the laptops
# (restic keeps history; Syncthing keeps the copies current). Its GUI stays on localhost; sync
# traffic (22000) and discovery (21027) open on the Tailscale interface only; folders and devices
# are added in the GUI, which keeps them (overrideFolders/overrideDevices off).
{ config, lib, ... }:
let
  cfg = config.hub.features.syncthing;
  admin = config.hub.features.users.adminUser;
in
{
  options.hub.features.syncthing = {
    interfaces = import ../lib/admit.nix { inherit lib; } "other Syncthing devices";
  };

  config = lib.mkIf cfg.enable {
    services.syncthing = {
      enable = true;
      user = admin;
      dataDir = "/home/${admin}";
      openDefaultPorts = false;
      overrideFolders = lib.mkDefault false;
      overrideDevices = lib.mkDefault false;
      settings.options = {
        urAccepted = lib.mkDefault (-1);
        relaysEnabled = lib.mkDefault false;
        localAnnounceEnabled = lib.mkDefault false;
      };
    };
    networking.firewall.interfaces = lib.genAttrs cfg.interfaces (_: {
      allowedTCPPorts = [ 22000 ];
      allowedUDPPorts = [ 22000 21027 ];
    });
  };
}
