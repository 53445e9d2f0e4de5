# The Linux audit framework on servers: a record of who ran what as root, changes to sudoers and
# SSH configuration and to the hub's secrets, which journald alone does not keep. Rules are the
# usual CIS-style watch list; ausearch -k hub-identity shows them.
{ config, lib, ... }:
let
  cfg = config.hub.features.auditd;
in
{
  options.hub.features.auditd = {
    execLogging = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Record every execve by root (busy build hosts produce a lot of records).";
    };
  };

  config = lib.mkIf cfg.enable {
    security.auditd.enable = true;
    security.audit = {
      enable = lib.mkDefault true;
      # Rate limit in records/s and what a full backlog does: 1 = printk, not panic.
      rateLimit = lib.mkDefault 1000;
      failureMode = lib.mkDefault "printk";
      rules = [
        "-w /etc/sudoers -p wa -k hub-identity"
        "-w /etc/ssh/sshd_config -p wa -k hub-identity"
        "-w /etc/passwd -p wa -k hub-identity"
        "-w /etc/shadow -p wa -k hub-identity"
        "-w /run/agenix -p r -k hub-secrets"
      ] ++ lib.optionals cfg.execLogging [
        "-a exit,always -F arch=b64 -F euid=0 -S execve -k hub-root-exec"
      ];
    };
  };
}
