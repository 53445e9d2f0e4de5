# Key-only SSH: every deploy, health check and secret status query goes through it.
{ config, lib, ... }:
let
  cfg = config.hub.features.ssh;
in
{
  options.hub.features.ssh = {
    port = lib.mkOption {
      type = lib.types.port;
      default = 22;
      description = "Port sshd listens on; keep it equal to the host's [ssh] port in host.toml.";
    };
  };

  config = lib.mkIf cfg.enable {
    services.openssh = {
      enable = true;
      ports = [ cfg.port ];
      openFirewall = lib.mkDefault true;
      settings = {
        PasswordAuthentication = lib.mkDefault false;
        KbdInteractiveAuthentication = lib.mkDefault false;
        PermitRootLogin = lib.mkDefault "prohibit-password";
      };
    };
  };
}
