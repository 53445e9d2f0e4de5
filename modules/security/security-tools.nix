# Tools for checking the fleet's own exposure and traffic: nmap, Wireshark (capture through a
# group with the dumpcap capability, not as root), tcpdump, mtr, sslscan, lynis for host audits
# and age/sops-compatible tooling. Only on interactive hosts: servers do not need an attack kit.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.security-tools;
in
{
  options.hub.features.security-tools = {
    wiresharkGui = lib.mkOption {
      type = lib.types.bool;
      default = config.hub.features.desktop.enable;
      defaultText = lib.literalExpression "config.hub.features.desktop.enable";
      description = "Install the Wireshark Qt GUI rather than the terminal-only tshark.";
    };
  };

  config = lib.mkIf cfg.enable {
    programs.wireshark = {
      enable = true;
      package = if cfg.wiresharkGui then pkgs.wireshark else pkgs.wireshark-cli;
    };
    environment.systemPackages = [ pkgs.nmap pkgs.tcpdump pkgs.mtr pkgs.sslscan pkgs.lynis pkgs.ssh-audit ];
    users.users = lib.mkIf config.hub.features.users.enable {
      ${config.hub.features.users.adminUser}.extraGroups = [ "wireshark" ];
    };
  };
}
