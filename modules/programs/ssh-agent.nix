# OpenSSH's ssh-agent as a systemd user service, so `ssh-add` once per session is enough for the
# deploys and git pushes that follow; keys are forgotten after agentTimeout, and ssh adds a key
# to the agent the first time it is used. Conflicts with gnupg-agent (its SSH support).
{ config, lib, ... }:
let
  cfg = config.hub.features.ssh-agent;
in
{
  options.hub.features.ssh-agent = {
    timeout = lib.mkOption {
      type = lib.types.nullOr lib.types.str;
      default = "8h";
      description = "How long the agent keeps an added key (ssh-agent -t), or null for as long as it runs.";
    };
  };

  config = lib.mkIf cfg.enable {
    programs.ssh = {
      startAgent = true;
      agentTimeout = lib.mkDefault cfg.timeout;
      extraConfig = ''
        AddKeysToAgent yes
      '';
    };
  };
}
