# NFSv4 exports of the media libraries to the fleet over Tailscale only: the exports name the
# Tailscale range, and port 2049 opens on the Tailscale interface, not the LAN.
{ config, lib, ... }:
let
  cfg = config.hub.features.nfs-server;
in
{
  options.hub.features.nfs-server = {
    exports = lib.mkOption {
      type = lib.types.attrsOf lib.types.str;
      default = { "/srv/media" = "ro"; };
      description = "Exported directory to export options; every export is offered to clients in clients.";
    };
    clients = lib.mkOption {
      type = lib.types.str;
      default = "100.64.0.0/10";
      description = "Who may mount (exports(5) client specification).";
    };
    interfaces = import ../lib/admit.nix { inherit lib; } "NFS clients";
  };

  config = lib.mkIf cfg.enable {
    services.nfs.server = {
      enable = true;
      exports = lib.concatStringsSep "\n"
        (lib.mapAttrsToList (dir: opts: "${dir} ${cfg.clients}(${opts},no_subtree_check)") cfg.exports);
    };
    networking.firewall.interfaces = lib.genAttrs cfg.interfaces (_: { allowedTCPPorts = [ 2049 ]; });
  };
}
