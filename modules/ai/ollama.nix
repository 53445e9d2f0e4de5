# Ollama with the GPU runtime matching the host's hardware profile, so moving a host to other
# hardware (hardware = ... in host.toml) switches ROCm/CUDA without touching this module.
{ config, lib, pkgs, ... }:
let
  cfg = config.features.ollama;
  accelerated =
    if config.features.amd-gpu.enable then pkgs.ollama-rocm
    else if config.features.nvidia-gpu.enable then pkgs.ollama-cuda
    else pkgs.ollama;
in
{
  options.features.ollama = {
    host = lib.mkOption {
      type = lib.types.str;
      default = "0.0.0.0";
      description = "Address Ollama binds (the firewall still limits it to the listed interfaces).";
    };
    port = lib.mkOption {
      type = lib.types.port;
      default = 11434;
      description = "Port of the Ollama API.";
    };
    models = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ ];
      example = [ "qwen2.5-coder:14b" ];
      description = "Models pulled when the service starts.";
    };
    interfaces = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ "tailscale0" ];
      description = "Interfaces on which the firewall admits API clients.";
    };
  };

  config = lib.mkIf cfg.enable {
    services.ollama = {
      enable = true;
      package = accelerated;
      host = cfg.host;
      port = cfg.port;
      loadModels = cfg.models;
    };
    # The CUDA runtime is unfree; only hosts whose hardware profile asks for it allow it.
    hub.allowUnfree = lib.optionals config.features.nvidia-gpu.enable [
      "cuda_cudart"
      "cuda_cccl"
      "cuda_nvcc"
      "libcublas"
    ];
    networking.firewall.interfaces = lib.genAttrs cfg.interfaces (_: { allowedTCPPorts = [ cfg.port ]; });
  };
}
