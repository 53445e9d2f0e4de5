# Key-only SSH: every deploy, health check and secret status query goes through it.
{ config, lib, ... }:
let
  cfg = config.hub.features.ssh;
  host = config.hub.host;
in
{
  options.hub.features.ssh = {
    port = lib.mkOption {
      type = lib.types.port;
      # The port the hub connects to is the inventory's: one fact, read here.
      default = host.toml.ssh.port or host.fleet.defaults.ssh.port or 22;
      defaultText = lib.literalExpression "host.toml [ssh] port, else hosts/fleet.toml [defaults.ssh] port, else 22";
      description = "Port sshd listens on: the one the hub connects to.";
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
