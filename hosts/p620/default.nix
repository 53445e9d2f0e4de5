# p620: what is specific to this machine. Everything else comes from host.toml's features.
{ ... }:
{
  boot.loader.systemd-boot.enable = true;
  boot.loader.efi.canTouchEfiVariables = true;

  features.ollama.models = [ "qwen2.5-coder:14b" ];

  system.stateVersion = "25.11";
}
