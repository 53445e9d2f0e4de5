# Boot time. NetworkManager-wait-online.service holds multi-user.target until a connection is
# up, which on a laptop away from its network is the slowest unit of the boot (systemd-analyze
# blame) for nothing: services that need the network order after network-online.target
# themselves. Servers keep it, since their services expect the network when they start.
#
# Per hardware profile: the GPU driver in the initrd (early KMS) sets the display mode once, so
# the console and the graphical session start without a second mode switch and blank screen.
# amd-gpu already loads amdgpu in the initrd (hardware.amdgpu.initrd); intel-integrated gets i915
# there on workstations and laptops (a small module); nvidia-gpu does not, because its modules
# are large, out of tree and slow the initrd down for a server that has no display at all.
{ config, lib, ... }:
let
  cfg = config.hub.features.boot-time;
  class = config.hub.host.toml.class or "server";
  profile = config.hub.host.toml.hardware or null;
in
{
  options.hub.features.boot-time = {
    skipWaitOnline = lib.mkOption {
      type = lib.types.bool;
      default = class != "server";
      defaultText = lib.literalExpression "true except on servers";
      description = "Do not wait for NetworkManager to bring a connection up during boot.";
    };
    earlyKms = lib.mkOption {
      type = lib.types.bool;
      default = profile == "intel-integrated" && class != "server";
      defaultText = lib.literalExpression ''true on the intel-integrated profile except on servers'';
      description = "Load the Intel GPU driver (i915) in the initrd for one mode switch at boot.";
    };
  };

  config = lib.mkIf cfg.enable {
    boot.initrd.kernelModules = lib.mkIf cfg.earlyKms [ "i915" ];
    systemd.services.NetworkManager-wait-online.enable =
      lib.mkIf (config.networking.networkmanager.enable && cfg.skipWaitOnline) (lib.mkDefault false);
  };
}
