# A plain WireGuard interface for links Tailscale cannot make (a site-to-site tunnel to a router,
# a VPS without Tailscale). The private key is an agenix secret read at start; peers come from
# the host's default.nix.
{ config, lib, ... }:
let
  cfg = config.hub.features.wireguard;
in
{
  options.hub.features.wireguard = {
    interface = lib.mkOption {
      type = lib.types.str;
      default = "wg0";
      description = "Name of the WireGuard interface.";
    };
    addresses = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ ];
      example = [ "10.100.0.1/24" ];
      description = "Addresses of this host on the tunnel.";
    };
    listenPort = lib.mkOption {
      type = lib.types.port;
      default = 51820;
      description = "UDP port WireGuard listens on (opened in the firewall).";
    };
    privateKeyFile = lib.mkOption {
      type = lib.types.str;
      default = "/run/agenix/wireguard-key";
      description = "File with this host's private key (`wg genkey`), an agenix secret.";
    };
    peers = lib.mkOption {
      type = lib.types.listOf lib.types.attrs;
      default = [ ];
      example = [{ publicKey = "..."; allowedIPs = [ "10.100.0.2/32" ]; endpoint = "vps.example.org:51820"; persistentKeepalive = 25; }];
      description = "Peers, as networking.wireguard.interfaces.<name>.peers entries.";
    };
  };

  config = lib.mkIf cfg.enable {
    networking.wireguard.interfaces.${cfg.interface} = {
      ips = cfg.addresses;
      listenPort = cfg.listenPort;
      privateKeyFile = cfg.privateKeyFile;
      peers = cfg.peers;
    };
    networking.firewall.allowedUDPPorts = [ cfg.listenPort ];
    assertions = [{
      assertion = cfg.addresses != [ ];
      message = "host ${config.networking.hostName}: hub.features.wireguard.addresses is empty; give the tunnel address";
    }];
  };
}
