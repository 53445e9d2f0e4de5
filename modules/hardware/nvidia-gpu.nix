# NVIDIA profile for p510 (headless, two GPUs for transcoding) and razer (PRIME laptop). The driver
# is unfree, so this module is the one place that allows it.
{ config, lib, ... }:
let
  cfg = config.hub.features.nvidia-gpu;
in
{
  options.hub.features.nvidia-gpu = {
    open = lib.mkOption {
      type = lib.types.bool;
      default = false;
      description = "Use NVIDIA's open kernel module (Turing and newer only); the proprietary one works on every generation.";
    };
    headless = lib.mkOption {
      type = lib.types.bool;
      default = false;
      description = "Keep the GPUs initialised without a display server (nvidia-persistenced), for transcoding servers.";
    };
    prime = {
      enable = lib.mkEnableOption "PRIME render offload from the integrated GPU to the NVIDIA one";
      intelBusId = lib.mkOption {
        type = lib.types.str;
        default = "";
        example = "PCI:0:2:0";
        description = "Bus ID of the integrated Intel GPU (lspci, converted to PCI:b:d:f).";
      };
      nvidiaBusId = lib.mkOption {
        type = lib.types.str;
        default = "";
        example = "PCI:1:0:0";
        description = "Bus ID of the NVIDIA GPU.";
      };
    };
  };

  config = lib.mkIf cfg.enable {
    hardware.graphics.enable = true;
    # The NixOS NVIDIA module keys off videoDrivers even on headless machines.
    services.xserver.videoDrivers = [ "nvidia" ];
    hardware.nvidia = {
      open = cfg.open;
      modesetting.enable = true;
      package = config.boot.kernelPackages.nvidiaPackages.stable;
      nvidiaPersistenced = cfg.headless;
      prime = lib.mkIf cfg.prime.enable {
        offload.enable = true;
        offload.enableOffloadCmd = true;
        intelBusId = cfg.prime.intelBusId;
        nvidiaBusId = cfg.prime.nvidiaBusId;
      };
    };
    hub.allowUnfree = [ "nvidia-x11" "nvidia-settings" "nvidia-persistenced" ];

    assertions = [
      {
        assertion = !cfg.prime.enable || (cfg.prime.intelBusId != "" && cfg.prime.nvidiaBusId != "");
        message = "host ${config.networking.hostName}: hub.features.nvidia-gpu.prime needs both intelBusId and nvidiaBusId";
      }
    ];
  };
}
