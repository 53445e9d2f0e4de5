# AMD Radeon profile (p620's RX 7900 XTX): the driver in the initrd gives a working console early,
# Mesa's radeonsi does VA-API and VDPAU video decoding, and OpenCL/ROCm is what the AI features
# accelerate through.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.amd-gpu;
in
{
  options.hub.features.amd-gpu = {
    rocm = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Install the ROCm OpenCL runtime for compute workloads, and link it at /opt/rocm/hip where HIP software looks for it.";
    };
    gfxVersionOverride = lib.mkOption {
      type = lib.types.nullOr lib.types.str;
      default = null;
      example = "10.3.0";
      description = "HSA_OVERRIDE_GFX_VERSION for consumer cards ROCm does not list (the nearest supported gfx target); null on supported cards.";
    };
    overdrive = lib.mkOption {
      type = lib.types.bool;
      default = false;
      description = "Unlock clock and voltage control (amdgpu.ppfeaturemask) for tools such as LACT or CoreCtrl.";
    };
  };

  config = lib.mkIf cfg.enable {
    hardware.graphics = {
      enable = lib.mkDefault true;
      enable32Bit = lib.mkDefault (config.nixpkgs.hostPlatform.system == "x86_64-linux");
    };
    # The GPU's firmware blobs (linux-firmware) are redistributable, not free.
    hardware.enableRedistributableFirmware = lib.mkDefault true;
    # nixos-25.11's name (nixos/modules/services/hardware/amdgpu.nix); kernelModule.inInitrd
    # exists only in an unmerged pull request's branch (nixpkgs PR 321663).
    hardware.amdgpu.initrd.enable = lib.mkDefault true;
    hardware.amdgpu.opencl.enable = lib.mkDefault cfg.rocm;
    hardware.amdgpu.overdrive.enable = lib.mkDefault cfg.overdrive;
    services.xserver.videoDrivers = [ "amdgpu" ];
    environment.sessionVariables = {
      LIBVA_DRIVER_NAME = lib.mkDefault "radeonsi";
      VDPAU_DRIVER = lib.mkDefault "radeonsi";
    } // lib.optionalAttrs (cfg.gfxVersionOverride != null) { HSA_OVERRIDE_GFX_VERSION = cfg.gfxVersionOverride; };
    systemd.tmpfiles.rules = lib.optionals cfg.rocm [ "L+ /opt/rocm/hip - - - - ${pkgs.rocmPackages.clr}" ];
  };
}
