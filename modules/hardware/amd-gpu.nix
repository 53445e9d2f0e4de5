# AMD Radeon profile (p620's RX 7900 XTX): the driver in the initrd gives a working console early,
# and OpenCL/ROCm is what the AI features accelerate through.
{ config, lib, ... }:
let
  cfg = config.hub.features.amd-gpu;
in
{
  options.hub.features.amd-gpu = {
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
    # nixos-25.11's name (nixos/modules/services/hardware/amdgpu.nix); kernelModule.inInitrd
    # exists only in an unmerged pull request's branch (nixpkgs PR 321663).
    hardware.amdgpu.initrd.enable = true;
    hardware.amdgpu.opencl.enable = cfg.rocm;
    services.xserver.videoDrivers = [ "amdgpu" ];
  };
}
