# Full virtual machines (Windows, other distributions) with TPM and UEFI.
{ config, lib, ... }:
let
  cfg = config.hub.features.libvirt;
in
{
  options.hub.features.libvirt = {
    adminInGroup = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Add the admin user to the libvirtd group so virsh and virt-manager work without sudo.";
    };
  };

  config = lib.mkIf cfg.enable {
    virtualisation.libvirtd = {
      enable = true;
      onBoot = lib.mkDefault "ignore";
      qemu.swtpm.enable = lib.mkDefault true;
    };
    users.users = lib.mkIf (cfg.adminInGroup && config.hub.features.users.enable) {
      ${config.hub.features.users.adminUser}.extraGroups = [ "libvirtd" ];
    };
  };
}
