# Ollama with the GPU runtime matching the host's hardware profile, so moving a host to other
# hardware (hardware = ... in host.toml) switches ROCm/CUDA without touching this module.
#
# nixos-25.11's ollama module runs `package.override { inherit acceleration; }`, and its
# services.ollama.acceleration defaults to null, which rebuilds even pkgs.ollama-rocm for the CPU:
# on 25.11 the package alone is not enough, acceleration must say the same. nixpkgs PR 466004
# (26.05) removed the option in favour of the package; there it is only a removed-option stub
# (visible = false) that fails when set, so it is set only where it is a real option.
{ config, lib, pkgs, options, ... }:
let
  cfg = config.hub.features.ollama;
  # One of the values of services.ollama.acceleration in 25.11 (null false "rocm" "cuda" ...).
  acceleration =
    if config.hub.features.amd-gpu.enable then "rocm"
    else if config.hub.features.nvidia-gpu.enable then "cuda"
    else false;
  accelerated =
    if acceleration == "rocm" then pkgs.ollama-rocm
    else if acceleration == "cuda" then pkgs.ollama-cuda
    else pkgs.ollama;
  accelerationOption = options.services.ollama.acceleration or null;
  # visible may be "shallow" or "transparent" as well as a bool. nixlint: allow bool-compare
  hasAcceleration = accelerationOption != null && (accelerationOption.visible or true) != false;
in
{
  options.hub.features.ollama = {
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
    interfaces = import ../lib/admit.nix { inherit lib; } "API clients";
  };

  config = lib.mkIf cfg.enable {
    services.ollama = {
      enable = true;
      package = accelerated;
      host = cfg.host;
      port = cfg.port;
      loadModels = cfg.models;
    } // lib.optionalAttrs hasAcceleration { inherit acceleration; };
    # The CUDA runtime is unfree; only hosts whose hardware profile asks for it allow it.
    hub.allowUnfree = lib.optionals config.hub.features.nvidia-gpu.enable [
      "cuda_cudart"
      "cuda_cccl"
      "cuda_nvcc"
      "libcublas"
    ];
    networking.firewall.interfaces = lib.genAttrs cfg.interfaces (_: { allowedTCPPorts = [ cfg.port ]; });
  };
}
