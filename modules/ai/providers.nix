# The hub's AI command on this host (docs/ai.md): the hub binary, whose ai:* targets ask the
# providers; /etc/hub/ai.toml, in the schema of the repository's hosts/ai.toml, which
# HUB_AI_CONFIG points the hub at; and each provider's API key as an agenix secret decrypted to
# /run/agenix/<name>, readable by root and the wheel group. /etc holds paths, never keys.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.ai-providers;
  provider = lib.types.submodule {
    options = {
      kind = lib.mkOption {
        type = lib.types.enum [ "anthropic" "openai" "gemini" "ollama" ];
        description = "The provider's API: Anthropic Messages, OpenAI Chat Completions (or a compatible server), Gemini generateContent, Ollama /api/chat.";
      };
      model = lib.mkOption {
        type = lib.types.str;
        description = "Model the hub asks.";
      };
      url = lib.mkOption {
        type = lib.types.nullOr lib.types.str;
        default = null;
        description = "Endpoint; null for the provider's public one (an OpenAI-compatible server's ends in /v1).";
      };
      keySecret = lib.mkOption {
        type = lib.types.nullOr lib.types.str;
        default = null;
        example = "anthropic-api-key";
        description = "agenix secret holding the API key (secrets/<name>.age, listed in secrets.nix); null for Ollama.";
      };
    };
  };
  # The secrets the listed providers need, once each.
  keySecrets = builtins.attrNames (builtins.listToAttrs (builtins.concatMap
    (n: let s = cfg.providers.${n}.keySecret or null; in lib.optional (s != null) (lib.nameValuePair s true))
    cfg.order));
  entry = name:
    let p = cfg.providers.${name}; in
    { inherit name; inherit (p) kind model; }
    // lib.optionalAttrs (p.url != null) { inherit (p) url; }
    // lib.optionalAttrs (p.keySecret != null) { key_file = "/run/agenix/${p.keySecret}"; };
in
{
  options.hub.features.ai-providers = {
    package = lib.mkOption {
      type = lib.types.package;
      default = pkgs.hub;
      defaultText = lib.literalExpression "pkgs.hub";
      description = "The hub, whose ai:* targets are the AI command.";
    };
    order = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ "ollama" ];
      description = "Names of the providers, in the order the hub asks them (the first that answers wins).";
    };
    providers = lib.mkOption {
      type = lib.types.attrsOf provider;
      default = {
        ollama = { kind = "ollama"; model = "qwen2.5-coder:14b"; url = "http://127.0.0.1:11434"; };
      };
      description = "Providers by name.";
    };
  };

  config = lib.mkIf cfg.enable {
    environment.systemPackages = [ cfg.package ];
    environment.etc."hub/ai.toml".source = (pkgs.formats.toml { }).generate "ai.toml" {
      provider = map entry (builtins.filter (n: builtins.hasAttr n cfg.providers) cfg.order);
    };
    environment.sessionVariables.HUB_AI_CONFIG = "/etc/hub/ai.toml";
    age.secrets = lib.genAttrs keySecrets (name: {
      file = ../../secrets + "/${name}.age";
      group = "wheel";
      mode = "0440";
    });
    assertions = [
      {
        assertion = cfg.order != [ ] && builtins.all (n: builtins.hasAttr n cfg.providers) cfg.order;
        message = "host ${config.networking.hostName}: hub.features.ai-providers.order lists providers that hub.features.ai-providers.providers lacks (or none)";
      }
      {
        assertion = builtins.all (n: !(builtins.hasAttr n cfg.providers) || cfg.providers.${n}.kind == "ollama" || cfg.providers.${n}.keySecret != null) cfg.order;
        message = "host ${config.networking.hostName}: every hub.features.ai-providers provider other than Ollama needs keySecret (an agenix secret)";
      }
    ];
  };
}
