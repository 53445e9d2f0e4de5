# Hardening with no functional cost on any host class; anything stricter belongs in a feature of its own.
{ config, lib, ... }:
let
  cfg = config.hub.features.hardening;
in
{
  options.hub.features.hardening = {
    restrictKernelPointers = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Hide kernel addresses and dmesg from unprivileged users.";
    };
  };

  config = lib.mkIf cfg.enable {
    security.sudo.execWheelOnly = lib.mkDefault true;
    boot.kernel.sysctl = {
      "kernel.kptr_restrict" = if cfg.restrictKernelPointers then 2 else 0;
      "kernel.dmesg_restrict" = if cfg.restrictKernelPointers then 1 else 0;
      "net.ipv4.conf.all.accept_redirects" = lib.mkDefault 0;
      "net.ipv4.conf.default.accept_redirects" = lib.mkDefault 0;
      "net.ipv6.conf.all.accept_redirects" = lib.mkDefault 0;
      "net.ipv4.conf.all.send_redirects" = lib.mkDefault 0;
      "net.ipv4.tcp_syncookies" = lib.mkDefault 1;
    };
    boot.tmp.cleanOnBoot = lib.mkDefault true;
  };
}
