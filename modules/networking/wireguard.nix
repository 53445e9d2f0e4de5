# A plain WireGuard interface for links Tailscale cannot make (a site-to-site tunnel to a router,
# a VPS without Tailscale). The private key is the host's agenix secret wireguard-<host>.age (the
# one secrets:rotate's wireguard generator renews, secrets/rotation.toml), read at start; peers
# come from the host's default.nix.
{ config, lib, ... }:
let
  cfg = config.hub.features.wireguard;
  keyName = "wireguard-${config.networking.hostName}";
  keyFile = ../../secrets + "/${keyName}.age";
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
      default = config.age.secrets.${keyName}.path;
      defaultText = lib.literalExpression "where agenix decrypts secrets/wireguard-<host>.age";
      description = "File with this host's private key (`wg genkey`): the agenix secret secrets/wireguard-<host>.age.";
    };
    peers = lib.mkOption {
      type = lib.types.listOf lib.types.attrs;
      default = [ ];
      example = [{ publicKey = "..."; allowedIPs = [ "10.100.0.2/32" ]; endpoint = "vps.example.org:51820"; persistentKeepalive = 25; }];
      description = "Peers, as networking.wireguard.interfaces.<name>.peers entries.";
    };
  };

  config = lib.mkIf cfg.enable {
    age.secrets.${keyName}.file = keyFile;
    networking.wireguard.interfaces.${cfg.interface} = {
      ips = cfg.addresses;
      listenPort = cfg.listenPort;
      privateKeyFile = cfg.privateKeyFile;
      peers = cfg.peers;
    };
    networking.firewall.allowedUDPPorts = [ cfg.listenPort ];
    assertions = [
      {
        assertion = cfg.addresses != [ ];
        message = "host ${config.networking.hostName}: hub.features.wireguard.addresses is empty; give the tunnel address";
      }
      {
        assertion = builtins.pathExists keyFile;
        message = "host ${config.networking.hostName}: feature wireguard reads secrets/${keyName}.age, which does not exist: list it in secrets/secrets.nix, then `go tool mage secrets:rotate ${keyName}.age` (generator wireguard in secrets/rotation.toml)";
      }
    ];
  };
}
