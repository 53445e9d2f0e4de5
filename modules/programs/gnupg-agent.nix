# GnuPG agent per user session, socket-activated, with its SSH support: one agent holds GPG and
# SSH keys (including ones on a YubiKey or other smartcard), and SSH_AUTH_SOCK points at it. It
# cannot run beside OpenSSH's ssh-agent (nixpkgs asserts so): the registry says gnupg-agent
# conflicts with ssh-agent. pinentry is left to nixpkgs: the desktop module picks its own (GNOME's
# prompt with the desktop feature), curses otherwise; a second definition here would collide.
{ config, lib, ... }:
let
  cfg = config.hub.features.gnupg-agent;
in
{
  options.hub.features.gnupg-agent = {
    sshSupport = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Serve SSH keys too (SSH_AUTH_SOCK is the agent's ssh socket).";
    };
  };

  config = lib.mkIf cfg.enable {
    programs.gnupg.agent = {
      enable = true;
      enableSSHSupport = lib.mkDefault cfg.sshSupport;
    };
    # Smartcards (YubiKey OpenPGP) need pcscd; gpg's scdaemon talks to it.
    services.pcscd.enable = lib.mkDefault true;
  };
}
