# Intel CPUs (p510's Xeons, the small servers, both laptops): microcode updates and KVM. intel_pstate
# is the kernel's default driver already; on laptops thermald (hardware/laptop-power) adds the
# thermal side.
{ config, lib, ... }:
let
  cfg = config.hub.features.cpu-intel;
in
{
  options.hub.features.cpu-intel = {
    nestedVirtualisation = lib.mkOption {
      type = lib.types.bool;
      default = false;
      description = "Allow KVM guests to run their own guests (kvm_intel nested=1), for testing hypervisors in VMs.";
    };
  };

  config = lib.mkIf cfg.enable {
    hardware.cpu.intel.updateMicrocode = lib.mkDefault config.hardware.enableRedistributableFirmware;
    hardware.enableRedistributableFirmware = lib.mkDefault true;
    boot.kernelModules = [ "kvm-intel" ];
    boot.extraModprobeConfig = lib.mkIf cfg.nestedVirtualisation "options kvm_intel nested=1";
  };
}
