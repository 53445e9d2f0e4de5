# Thunderbolt and USB4 docks on laptops: boltd authorises devices (security level "user" in the
# firmware means nothing works until it does); GNOME's settings show and enrol them through it.
{ config, lib, ... }:
let
  cfg = config.hub.features.thunderbolt;
in
{
  options.hub.features.thunderbolt = {
    iommuProtection = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Turn the IOMMU on (intel_iommu=on, iommu=pt) so a Thunderbolt device gets DMA only to its own buffers (the kernel's thunderbolt.rst, DMA protection).";
    };
  };

  config = lib.mkIf cfg.enable {
    services.hardware.bolt.enable = true;
    boot.kernelParams = lib.optionals cfg.iommuProtection [ "intel_iommu=on" "iommu=pt" ];
  };
}
