# Intel integrated graphics: the VA-API driver is what makes video decode (and Plex/Jellyfin
# transcoding on small servers) use the GPU instead of the CPU.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.intel-integrated;
in
{
  options.hub.features.intel-integrated = {
    legacyVaapi = lib.mkOption {
      type = lib.types.bool;
      default = false;
      description = "Use the i965 VA-API driver for GPUs older than Broadwell instead of the iHD media driver.";
    };
  };

  config = lib.mkIf cfg.enable {
    hardware.graphics = {
      enable = true;
      extraPackages = if cfg.legacyVaapi then [ pkgs.intel-vaapi-driver ] else [ pkgs.intel-media-driver ];
    };
    environment.sessionVariables.LIBVA_DRIVER_NAME = if cfg.legacyVaapi then "i965" else "iHD";
  };
}
