# Provider configuration for the hub's AI tools: which endpoints exist and where each key lives.
# Only file paths are written to /etc, never the keys themselves.
{ config, lib, ... }:
let
  cfg = config.features.ai-providers;
  provider = lib.types.submodule {
    options = {
      baseUrl = lib.mkOption {
        type = lib.types.str;
        description = "Base URL of the provider's OpenAI-compatible API.";
      };
      apiKeyFile = lib.mkOption {
        type = lib.types.nullOr lib.types.str;
        default = null;
        description = "File holding the API key (an agenix secret); null for local providers.";
      };
      models = lib.mkOption {
        type = lib.types.listOf lib.types.str;
        default = [ ];
        description = "Models the tools may use from this provider.";
      };
    };
  };
in
{
  options.features.ai-providers = {
    default = lib.mkOption {
      type = lib.types.str;
      default = "ollama";
      description = "Provider used when a tool does not name one.";
    };
    providers = lib.mkOption {
      type = lib.types.attrsOf provider;
      default = {
        ollama.baseUrl = "http://127.0.0.1:11434/v1";
      };
      description = "Providers by name.";
    };
  };

  config = lib.mkIf cfg.enable {
    environment.etc."hub/ai-providers.json".text = builtins.toJSON {
      inherit (cfg) default providers;
    };
    assertions = [
      {
        assertion = builtins.hasAttr cfg.default cfg.providers;
        message = "host ${config.networking.hostName}: features.ai-providers.default is \"${cfg.default}\", which is not in features.ai-providers.providers";
      }
    ];
  };
}
