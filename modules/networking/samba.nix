# Samba shares of the media libraries for clients without NFS (TVs, phones, Windows), read-only
# for guests, over Tailscale and the LAN interfaces listed. SMB1 is off (server min protocol).
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
    interfaces = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ "tailscale0" ];
      description = "Interfaces Samba binds and the firewall opens 445 on.";
    };
  };

  config = lib.mkIf cfg.enable {
    services.samba = {
      enable = true;
      openFirewall = false;
      settings = {
        global = {
          "server min protocol" = lib.mkDefault "SMB2_10";
          "map to guest" = lib.mkDefault "Bad User";
          "interfaces" = lib.mkDefault (lib.concatStringsSep " " ([ "lo" ] ++ cfg.interfaces));
          "bind interfaces only" = lib.mkDefault "yes";
        };
      } // lib.mapAttrs (_: path: { inherit path; "read only" = "yes"; "guest ok" = "yes"; }) cfg.shares;
    };
    networking.firewall.interfaces = lib.genAttrs cfg.interfaces (_: { allowedTCPPorts = [ 445 ]; });
  };
}
