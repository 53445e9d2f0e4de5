# WireGuard peers that are hosts of the fleet, named by host: each one's public key is the one
# `secrets:rotate` recorded for its private key secret wireguard-<host>.age (public_key in
# secrets/rotation.toml, read by nix/rotation-public-keys.nix), so a rotated key reaches the
# peers at their next deploy instead of through a copy in each host's configuration.
#
# Pure (builtins only), so internal/secrets evaluates it with nix-instantiate without nixpkgs.
# publicKeys: nix/rotation-public-keys.nix's set; peers: hub.features.wireguard.fleetPeers.
# Gives the networking.wireguard.interfaces.<name>.peers entries of the peers with a recorded
# key, and the host names without one (the module's assertion names them).
{ publicKeys, peers }:
let
  keyName = host: "wireguard-${host}";
  known = builtins.filter (p: publicKeys ? ${keyName p.host}) peers;
  entry = p: {
    publicKey = publicKeys.${keyName p.host};
    inherit (p) allowedIPs;
  } // (if p.endpoint or null != null then { inherit (p) endpoint; } else { })
  // (if p.persistentKeepalive or null != null then { inherit (p) persistentKeepalive; } else { });
in
{
  peers = map entry known;
  missing = map (p: p.host) (builtins.filter (p: !(publicKeys ? ${keyName p.host})) peers);
}
