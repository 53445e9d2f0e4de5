# virt-manager, the desktop front end to libvirt, with SPICE USB redirection so a USB stick can
# be passed to a VM from the viewer window.
{ config, lib, ... }:
let
  cfg = config.hub.features.virt-manager;
in
{
  options.hub.features.virt-manager = {
    usbRedirection = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Allow SPICE USB redirection (a setuid helper) for VM viewers.";
    };
  };

  config = lib.mkIf cfg.enable {
    programs.virt-manager.enable = true;
    virtualisation.spiceUSBRedirection.enable = lib.mkDefault cfg.usbRedirection;
  };
}
