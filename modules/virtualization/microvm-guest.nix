# The hardware profile of a [[microvm]] guest (modules/virtualization/microvm.nix sets it as the
# guest's host.toml hardware): no firmware or GPU, an sshd the hub and vm:ssh reach through the
# host's forwarded ssh_port, and the host's authorized keys (hub.features.users) for root.
{ config, lib, ... }:
let
  cfg = config.hub.features.microvm-guest;
in
{
  config = lib.mkIf cfg.enable {
    services.openssh.enable = lib.mkDefault true;
    networking.firewall.allowedTCPPorts = [ 22 ];
  };
}
