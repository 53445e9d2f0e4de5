# A plain WireGuard interface for links Tailscale cannot make (a site-to-site tunnel to a router,
# a VPS without Tailscale). The private key is the host's agenix secret wireguard-<host>.age (the
# one secrets:rotate's wireguard generator renews, secrets/rotation.toml), read at start. Peers
# come from the host's default.nix: fleetPeers by host name, whose public keys are the ones
# rotation.toml records (modules/lib/wireguard-peers.nix), and peers for anything else.
{ config, lib, ... }:
let
  cfg = config.hub.features.wireguard;
  keyName = "wireguard-${config.networking.hostName}";
  keyFile = ../../secrets + "/${keyName}.age";
  fleet = import ../lib/wireguard-peers.nix {
    publicKeys = import ../../nix/rotation-public-keys.nix { };
    peers = cfg.fleetPeers;
  };
  peerHosts = map (p: p.host) cfg.fleetPeers;
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
      description = "Peers outside the fleet, as networking.wireguard.interfaces.<name>.peers entries (fleet hosts go in fleetPeers).";
    };
    fleetPeers = lib.mkOption {
      type = lib.types.listOf (lib.types.submodule {
        options = {
          host = lib.mkOption {
            type = lib.types.str;
            description = "The peer's host name in the inventory; its key is the secret wireguard-<host>.age.";
          };
          allowedIPs = lib.mkOption {
            type = lib.types.listOf lib.types.str;
            description = "Addresses routed to the peer through the tunnel.";
          };
          endpoint = lib.mkOption {
            type = lib.types.nullOr lib.types.str;
            default = null;
            description = "host:port the peer is reached at; null when it connects to this host.";
          };
          persistentKeepalive = lib.mkOption {
            type = lib.types.nullOr lib.types.int;
            default = null;
            description = "Seconds between keepalives (behind NAT); null for none.";
          };
        };
      });
      default = [ ];
      example = [{ host = "p620"; allowedIPs = [ "10.100.0.1/32" ]; endpoint = "p620.home.arpa:51820"; }];
      description = ''
        Peers that are hosts of the fleet, by host name. Each one's publicKey is the public half
        secrets:rotate recorded for wireguard-<host>.age (public_key in secrets/rotation.toml, read
        through nix/rotation-public-keys.nix), so a rotated key reaches this host at its next
        deploy. A listed host without a recorded key fails the evaluation.
      '';
    };
  };

  config = lib.mkIf cfg.enable {
    age.secrets.${keyName}.file = keyFile;
    networking.wireguard.interfaces.${cfg.interface} = {
      ips = cfg.addresses;
      listenPort = cfg.listenPort;
      privateKeyFile = cfg.privateKeyFile;
      peers = cfg.peers ++ fleet.peers;
    };
    networking.firewall.allowedUDPPorts = [ cfg.listenPort ];
    assertions = [
      {
        assertion = cfg.addresses != [ ];
        message = "host ${config.networking.hostName}: hub.features.wireguard.addresses is empty; give the tunnel address";
      }
      {
        assertion = fleet.missing == [ ];
        message = "host ${config.networking.hostName}: hub.features.wireguard.fleetPeers: no WireGuard public key recorded for ${lib.concatStringsSep ", " fleet.missing}: secrets/rotation.toml has no public_key for ${lib.concatMapStringsSep ", " (h: "wireguard-${h}.age") fleet.missing}; give each a [\"wireguard-<host>.age\"] table with generator = \"wireguard\" and run `go tool mage secrets:rotate -names=wireguard-<host>.age`";
      }
      {
        assertion = !(builtins.elem config.networking.hostName peerHosts);
        message = "host ${config.networking.hostName}: hub.features.wireguard.fleetPeers lists the host itself";
      }
      {
        assertion = builtins.pathExists keyFile;
        message = "host ${config.networking.hostName}: feature wireguard reads secrets/${keyName}.age, which does not exist: list it in secrets/secrets.nix, then `go tool mage secrets:rotate -names=${keyName}.age` (generator wireguard in secrets/rotation.toml)";
      }
    ];
  };
}
