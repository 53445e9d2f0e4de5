# Open WebUI, a browser chat front end for the local Ollama (feature ollama, required), on the
# Tailscale interface. Telemetry off; sign-up closed after the first (admin) account.
{ config, lib, ... }:
let
  cfg = config.hub.features.open-webui;
  ollama = config.hub.features.ollama;
in
{
  options.hub.features.open-webui = {
    port = lib.mkOption {
      type = lib.types.port;
      default = 8080;
      description = "Port of the web UI.";
    };
    interfaces = import ../lib/admit.nix { inherit lib; } "browsers";
  };

  config = lib.mkIf cfg.enable {
    services.open-webui = {
      enable = true;
      host = lib.mkDefault "0.0.0.0";
      port = cfg.port;
      environment = {
        OLLAMA_BASE_URL = "http://127.0.0.1:${toString ollama.port}";
        ENABLE_SIGNUP = lib.mkDefault "False";
        ANONYMIZED_TELEMETRY = "False";
        DO_NOT_TRACK = "True";
        SCARF_NO_ANALYTICS = "True";
      };
    };
    networking.firewall.interfaces = lib.genAttrs cfg.interfaces (_: { allowedTCPPorts = [ cfg.port ]; });
  };
}
