# llama.cpp's OpenAI-compatible server for one GGUF model file, for clients that want the
# /v1/chat/completions API without Ollama's model store. All layers are offered to the GPU
# (--n-gpu-layers 99), which takes effect with a GPU build of the package (set
# services.llama-cpp.package, e.g. to llama-cpp with rocmSupport or cudaSupport); nixpkgs' default
# CPU build ignores it. On localhost: put it behind Tailscale serve or a proxy.
{ config, lib, ... }:
let
  cfg = config.hub.features.llama-cpp;
in
{
  options.hub.features.llama-cpp = {
    model = lib.mkOption {
      type = lib.types.str;
      default = "/var/lib/llama-cpp/model.gguf";
      example = "/var/lib/llama-cpp/qwen2.5-coder-7b-instruct-q4_k_m.gguf";
      description = "Path of the GGUF model the server loads.";
    };
    port = lib.mkOption {
      type = lib.types.port;
      default = 8081;
      description = "Port of the server.";
    };
    contextSize = lib.mkOption {
      type = lib.types.ints.positive;
      default = 8192;
      description = "Context window in tokens (--ctx-size).";
    };
  };

  config = lib.mkIf cfg.enable {
    services.llama-cpp = {
      enable = true;
      host = "127.0.0.1";
      port = cfg.port;
      model = cfg.model;
      extraFlags = [ "--ctx-size" (toString cfg.contextSize) "--n-gpu-layers" "99" ];
    };
  };
}
