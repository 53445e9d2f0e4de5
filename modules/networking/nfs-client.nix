# NFS client mounts of the media server's libraries, mounted on first access and unmounted when
# idle (systemd automount), so a workstation boots without waiting for a server that is down.
# NixOS adds the nfs filesystem support itself from the fsType.
{ config, lib, ... }:
let
  cfg = config.hub.features.nfs-client;
in
{
  options.hub.features.nfs-client = {
    mounts = lib.mkOption {
      type = lib.types.attrsOf lib.types.str;
      default = { };
      example = { "/mnt/media" = "p510:/srv/media"; };
      description = "Mount point to NFS export (server:/path).";
    };
  };

  config = lib.mkIf cfg.enable {
    fileSystems = lib.mapAttrs
      (_: device: {
        inherit device;
        fsType = "nfs";
        options = [ "nfsvers=4.2" "noauto" "x-systemd.automount" "x-systemd.idle-timeout=600" "x-systemd.mount-timeout=10" "_netdev" ];
      })
      cfg.mounts;
  };
}
