# AMD Radeon profile (p620's RX 7900 XTX): the driver in the initrd gives a working console early,
# and OpenCL/ROCm is what the AI features accelerate through.
{ config, lib, ... }:
let
  cfg = config.features.amd-gpu;
in
{
  options.features.amd-gpu = {
    rocm = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Install the ROCm OpenCL runtime for compute workloads.";
    };
  };

  config = lib.mkIf cfg.enable {
    hardware.graphics = {
      enable = true;
      enable32Bit = lib.mkDefault (config.nixpkgs.hostPlatform.system == "x86_64-linux");
    };
    # kernelModule.inInitrd: hardware.amdgpu.initrd.enable was an unstable-only name, kept as an
    # alias "to be removed post 24.11" (nixos/modules/services/hardware/amdgpu.nix).
    hardware.amdgpu.kernelModule.inInitrd = true;
    hardware.amdgpu.opencl.enable = cfg.rocm;
    services.xserver.videoDrivers = [ "amdgpu" ];
  };
}
