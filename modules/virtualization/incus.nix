# Incus (the community fork of LXD) for system containers and VMs on the lab server: full
# distributions with their own init, cheaper than libvirt VMs. Preseeded with a dir storage pool
# and a NAT bridge so `incus launch images:debian/12 test` works on a fresh host. Incus needs
# nftables, which the firewall feature already uses.
{ config, lib, ... }:
let
  cfg = config.hub.features.incus;
in
{
  options.hub.features.incus = {
    bridgeAddress = lib.mkOption {
      type = lib.types.str;
      default = "10.18.0.1/24";
      description = "Address and prefix of the incusbr0 NAT bridge the default profile attaches to.";
    };
    ui = lib.mkOption {
      type = lib.types.bool;
      default = false;
      description = "Serve the Incus web UI (needs core.https_address set by hand).";
    };
  };

  config = lib.mkIf cfg.enable {
    virtualisation.incus = {
      enable = true;
      ui.enable = lib.mkDefault cfg.ui;
      preseed = lib.mkDefault {
        networks = [{
          name = "incusbr0";
          type = "bridge";
          config = { "ipv4.address" = cfg.bridgeAddress; "ipv4.nat" = "true"; "ipv6.address" = "none"; };
        }];
        storage_pools = [{ name = "default"; driver = "dir"; config.source = "/var/lib/incus/storage-pools/default"; }];
        profiles = [{
          name = "default";
          devices = {
            eth0 = { name = "eth0"; network = "incusbr0"; type = "nic"; };
            root = { path = "/"; pool = "default"; type = "disk"; };
          };
        }];
      };
    };
    networking.firewall.trustedInterfaces = [ "incusbr0" ];
    users.users = lib.mkIf config.hub.features.users.enable {
      ${config.hub.features.users.adminUser}.extraGroups = [ "incus-admin" ];
    };
  };
}
