# Intel integrated graphics: the VA-API driver is what makes video decode (and Plex/Jellyfin
# transcoding on small servers) use the GPU instead of the CPU; the compute runtime adds the
# OpenCL that Jellyfin's HDR tone mapping needs; GuC/HuC firmware loading enables the low-power
# encoder on Gen9-Gen11 chips (Jellyfin's Intel hardware acceleration guide).
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.intel-integrated;
  class = config.hub.host.toml.class or "server";
in
{
  options.hub.features.intel-integrated = {
    legacyVaapi = lib.mkOption {
      type = lib.types.bool;
      default = false;
      description = "Use the i965 VA-API driver for GPUs older than Broadwell instead of the iHD media driver.";
    };
    opencl = lib.mkOption {
      type = lib.types.bool;
      default = class == "server";
      defaultText = lib.literalExpression "true on servers";
      description = "Install intel-compute-runtime (OpenCL), for transcoders' tone mapping.";
    };
    guc = lib.mkOption {
      type = lib.types.bool;
      default = class == "server";
      defaultText = lib.literalExpression "true on servers";
      description = "Load GuC and HuC firmware (i915.enable_guc=3): low-power hardware encoding on Gen9-Gen11; the default from Gen12 on.";
    };
  };

  config = lib.mkIf cfg.enable {
    hardware.graphics = {
      enable = lib.mkDefault true;
      extraPackages = (if cfg.legacyVaapi then [ pkgs.intel-vaapi-driver ] else [ pkgs.intel-media-driver ])
        ++ [ pkgs.libvdpau-va-gl ]
        ++ lib.optionals cfg.opencl [ pkgs.intel-compute-runtime ];
    };
    hardware.enableRedistributableFirmware = lib.mkDefault true;
    environment.sessionVariables = {
      LIBVA_DRIVER_NAME = lib.mkDefault (if cfg.legacyVaapi then "i965" else "iHD");
      # VDPAU applications go through VA-API (libvdpau-va-gl): Intel has no VDPAU driver.
      VDPAU_DRIVER = lib.mkDefault "va_gl";
    };
    boot.kernelParams = lib.optionals cfg.guc [ "i915.enable_guc=3" ];
  };
}
