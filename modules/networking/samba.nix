# Samba shares of the media libraries for clients without NFS (TVs, phones, Windows), read-only
# for guests, reachable on the interfaces listed (Tailscale by default) through the firewall. smbd
# is not bound to those interfaces ("bind interfaces only"): tailscale0 may appear after smbd
# starts, and then it would never listen there. SMB1 is off (server min protocol).
{ config, lib, ... }:
let
  cfg = config.hub.features.samba;
in
{
  options.hub.features.samba = {
    shares = lib.mkOption {
      type = lib.types.attrsOf lib.types.str;
      default = { media = "/srv/media"; };
      description = "Share name to directory; each is read-only and open to guests.";
    };
    interfaces = import ../lib/admit.nix { inherit lib; } "SMB clients (445)";
  };

  config = lib.mkIf cfg.enable {
    services.samba = {
      enable = true;
      openFirewall = false;
      settings = {
        global = {
          "server min protocol" = lib.mkDefault "SMB2_10";
          "map to guest" = lib.mkDefault "Bad User";
        };
      } // lib.mapAttrs (_: path: { inherit path; "read only" = "yes"; "guest ok" = "yes"; }) cfg.shares;
    };
    networking.firewall.interfaces = lib.genAttrs cfg.interfaces (_: { allowedTCPPorts = [ 445 ]; });
  };
}
