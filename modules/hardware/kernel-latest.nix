# The newest mainline kernel instead of the release's LTS one, for hardware newer than the LTS
# (a new laptop's Wi-Fi, GPU or sensors). Conflicts with nvidia-gpu: NVIDIA's out-of-tree module
# often lags a new kernel and the build breaks.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.kernel-latest;
in
{
  options.hub.features.kernel-latest = {
    zen = lib.mkOption {
      type = lib.types.bool;
      default = false;
      description = "Use the zen kernel (desktop-tuned scheduler and preemption) instead of the vanilla latest one.";
    };
  };

  config = lib.mkIf cfg.enable {
    boot.kernelPackages = lib.mkDefault (if cfg.zen then pkgs.linuxPackages_zen else pkgs.linuxPackages_latest);
  };
}
