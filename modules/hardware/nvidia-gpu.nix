# NVIDIA profile for p510 (headless, two GPUs for transcoding) and razer (PRIME laptop). The driver
# is unfree, so this module is the one place that allows it.
{ config, lib, ... }:
let
  cfg = config.hub.features.nvidia-gpu;
  class = config.hub.host.toml.class or "server";
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
    vaapi = lib.mkOption {
      type = lib.types.bool;
      default = !cfg.headless;
      defaultText = lib.literalExpression "!headless";
      description = "VA-API video decoding through NVDEC (nvidia-vaapi-driver), for browsers and players.";
    };
    containers = lib.mkOption {
      type = lib.types.bool;
      default = config.virtualisation.docker.enable || config.virtualisation.podman.enable;
      defaultText = lib.literalExpression "true when Docker or Podman is enabled";
      description = "NVIDIA Container Toolkit (CDI): CUDA inside Docker and Podman containers with --device nvidia.com/gpu=all.";
    };
    suspend = lib.mkOption {
      type = lib.types.bool;
      default = class == "laptop";
      defaultText = lib.literalExpression "true on laptops";
      description = "Save video memory across suspend (hardware.nvidia.powerManagement), and power the GPU off when idle with PRIME offload.";
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
    hardware.graphics.enable = lib.mkDefault true;
    # The driver module adds nvidia-vaapi-driver when this is on (its default).
    hardware.nvidia.videoAcceleration = lib.mkDefault cfg.vaapi;
    environment.sessionVariables = lib.mkIf cfg.vaapi {
      LIBVA_DRIVER_NAME = lib.mkDefault "nvidia";
      # nvidia-vaapi-driver's README: the EGL backend is broken on driver 525 and later.
      NVD_BACKEND = lib.mkDefault "direct";
    };
    hardware.nvidia-container-toolkit.enable = lib.mkDefault cfg.containers;
    # The NixOS NVIDIA module keys off videoDrivers even on headless machines.
    services.xserver.videoDrivers = [ "nvidia" ];
    hardware.nvidia = {
      open = lib.mkDefault cfg.open;
      modesetting.enable = lib.mkDefault true;
      package = lib.mkDefault config.boot.kernelPackages.nvidiaPackages.stable;
      nvidiaPersistenced = lib.mkDefault cfg.headless;
      powerManagement.enable = lib.mkDefault cfg.suspend;
      powerManagement.finegrained = lib.mkDefault (cfg.suspend && cfg.prime.enable);
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
