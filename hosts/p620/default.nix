# p620: what is specific to this machine. Everything else comes from host.toml's features.
{ ... }:
{
  boot.loader.systemd-boot.enable = true;
  boot.loader.efi.canTouchEfiVariables = true;

  hub.features.ollama.models = [ "qwen2.5-coder:14b" ];

  # The hub's AI command here asks the local Ollama. A cloud provider joins the order once its
  # key is an agenix secret (docs/ai.md, "Adding a cloud provider"); the repository holds none.
  hub.features.ai-providers = {
    order = [ "ollama" ];
    providers = {
      ollama = { kind = "ollama"; model = "qwen2.5-coder:14b"; url = "http://127.0.0.1:11434"; };
    };
  };

  system.stateVersion = "25.11";
}
