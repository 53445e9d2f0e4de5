# p620: what is specific to this machine. Everything else comes from host.toml's features.
{ ... }:
{
  boot.loader.systemd-boot.enable = true;
  boot.loader.efi.canTouchEfiVariables = true;

  features.ollama.models = [ "qwen2.5-coder:14b" ];

  # The hub's AI command here asks the local Ollama first, then the cloud providers
  # (hosts/ai.toml is the workstations' copy of this order; docs/ai.md).
  features.ai-providers = {
    order = [ "ollama" "anthropic" "openai" "gemini" ];
    providers = {
      ollama = { kind = "ollama"; model = "qwen2.5-coder:14b"; url = "http://127.0.0.1:11434"; };
      anthropic = { kind = "anthropic"; model = "claude-sonnet-4-5"; keySecret = "anthropic-api-key"; };
      openai = { kind = "openai"; model = "gpt-4.1"; keySecret = "openai-api-key"; };
      gemini = { kind = "gemini"; model = "gemini-2.5-flash"; keySecret = "gemini-api-key"; };
    };
  };

  system.stateVersion = "25.11";
}
