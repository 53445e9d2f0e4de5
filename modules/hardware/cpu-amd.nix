# AMD CPUs (p620's Threadripper): microcode updates loaded early, amd-pstate in active mode (the
# CPU's own frequency selection, EPP, instead of acpi-cpufreq's coarse P-states; the kernel's
# amd-pstate.rst) and KVM for the virtualisation features.
{ config, lib, ... }:
let
  cfg = config.hub.features.cpu-amd;
in
{
  options.hub.features.cpu-amd = {
    pstate = lib.mkOption {
      type = lib.types.enum [ "active" "guided" "passive" "disable" ];
      default = "active";
      description = "amd_pstate= mode (kernel parameter); \"disable\" leaves frequency scaling to acpi-cpufreq.";
    };
  };

  config = lib.mkIf cfg.enable {
    hardware.cpu.amd.updateMicrocode = lib.mkDefault config.hardware.enableRedistributableFirmware;
    hardware.enableRedistributableFirmware = lib.mkDefault true;
    boot.kernelParams = [ "amd_pstate=${cfg.pstate}" ];
    boot.kernelModules = [ "kvm-amd" ];
  };
}
