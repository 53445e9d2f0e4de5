# Every definition here exists in nixos-25.11 with a value of the right kind.
{ config, lib, pkgs, ... }:
let
  enable = config.services.openssh.enable;
in
{
  options.hub-test.port = lib.mkOption {
    type = lib.types.port;
    default = 2222;
    description = "A hub option: declared here, so it is an option too.";
  };

  config = lib.mkMerge [
    (lib.mkIf enable {
      services.openssh = {
        enable = true;
        ports = [ config.hub-test.port ];
        settings.PermitRootLogin = "prohibit-password";
        settings.X11Forwarding = lib.mkDefault false;
        settings.MaxStartups = "10:30:100";
      };
      services.resolved.dnssec = "allow-downgrade";
      services.resolved.fallbackDns = [ "9.9.9.9" ];
      networking.firewall.interfaces.tailscale0.allowedTCPPorts = [ 22 ];
      boot.kernel.sysctl."kernel.kptr_restrict" = 2;
      users.users.alice.extraGroups = lib.mkAfter [ "wheel" ];
      environment.systemPackages = [ pkgs.git ];
      hub-test.port = 2223;
    })
  ];
}
