# The one place that decides who owns /etc/resolv.conf. Exactly one of three features owns it,
# and the hub's Go side (internal/netdoctor DeclaredOwner, what net:doctor compares a host with)
# derives the same answer from the same features:
#
#   resolved            systemd-resolved (the default): /etc/resolv.conf is its stub file;
#                       NetworkManager hands it the DHCP servers, tailscale its MagicDNS servers
#                       (per link, over D-Bus);
#   networkmanager-dns  NetworkManager (dns=default), through NixOS's resolvconf;
#   static-dns          a fixed file in the Nix store; nothing at run time may change it.
#
# Tailscale never owns the file: with --accept-dns it programs systemd-resolved, and without
# systemd-resolved it rewrites /etc/resolv.conf itself ("direct" mode, tailscale's
# net/dns/manager_linux.go), which is what the old fleet suffered from. Every combination that
# puts a second writer on the file is an assertion below whose message says what to drop.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.dns;
  f = config.hub.features;
  host = config.networking.hostName;
  nm = config.networking.networkmanager;
  ts = f.tailscale;
  ownerFeatures = builtins.filter (n: f.${n}.enable) [ "resolved" "networkmanager-dns" "static-dns" ];
  ownerOf = {
    resolved = "systemd-resolved";
    networkmanager-dns = "networkmanager";
    static-dns = "static";
  };
  owner = if builtins.length ownerFeatures == 1 then ownerOf.${builtins.head ownerFeatures} else "none";
  magicDNS = ts.enable && ts.acceptDns;
  # NetworkManager's dns mode for each owner: hand the servers to resolved, write the file
  # itself (through resolvconf), or keep out of it.
  nmDns = {
    systemd-resolved = "systemd-resolved";
    networkmanager = "default";
    static = "none";
    none = nm.dns;
  }.${owner};
in
{
  options.hub.features.dns = {
    owner = lib.mkOption {
      type = lib.types.enum [ "systemd-resolved" "networkmanager" "static" "none" ];
      readOnly = true;
      default = owner;
      defaultText = lib.literalExpression ''"systemd-resolved", "networkmanager" or "static", from features resolved, networkmanager-dns, static-dns'';
      description = "Who owns /etc/resolv.conf on this host, decided from its features (none: an assertion fails).";
    };
    doctorTools = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Install dig, which net:doctor uses to ask each configured DNS server directly.";
    };
  };

  config = lib.mkIf cfg.enable {
    networking.networkmanager.dns = lib.mkIf (nm.enable && owner != "none") (lib.mkDefault nmDns);
    environment.systemPackages = lib.mkIf cfg.doctorTools [ pkgs.dig ];
    # What the host itself declares, for net:doctor to show next to what the repository says.
    environment.etc."hub/dns.json".text = builtins.toJSON { inherit owner magicDNS; };

    assertions = [
      {
        assertion = ownerFeatures != [ ];
        message = "host ${host}: nothing owns /etc/resolv.conf: keep feature resolved (the default), or list static-dns or networkmanager-dns in host.toml";
      }
      {
        assertion = builtins.length ownerFeatures < 2;
        message = "host ${host}: features ${lib.concatStringsSep " and " ownerFeatures} would all write /etc/resolv.conf: drop all but one of them (in host.toml or hosts/${host}/default.nix)";
      }
      {
        assertion = !(nm.enable && nm.dns != nmDns && owner != "none");
        message = "host ${host}: NetworkManager dns = \"${nm.dns}\" next to owner ${owner} of /etc/resolv.conf (feature dns wants \"${nmDns}\"): remove networking.networkmanager.dns from hosts/${host}/default.nix, or let NetworkManager own the file with feature networkmanager-dns (resolved then yields)";
      }
      {
        assertion = !(config.services.resolved.enable && owner != "systemd-resolved" && owner != "none");
        message = "host ${host}: systemd-resolved is enabled although ${owner} owns /etc/resolv.conf: drop services.resolved.enable from hosts/${host}/default.nix, or drop feature ${lib.concatStringsSep ", " ownerFeatures} to let feature resolved own it";
      }
      {
        assertion = !(config.services.dnsmasq.enable && config.services.dnsmasq.resolveLocalQueries);
        message = "host ${host}: dnsmasq (resolveLocalQueries) would write /etc/resolv.conf next to ${owner}: set services.dnsmasq.resolveLocalQueries = false, or drop dnsmasq";
      }
      {
        assertion = !(config.services.unbound.enable && config.services.unbound.resolveLocalQueries);
        message = "host ${host}: unbound (resolveLocalQueries) would write /etc/resolv.conf next to ${owner}: set services.unbound.resolveLocalQueries = false, or drop unbound";
      }
      {
        assertion = !(magicDNS && owner == "static");
        message = "host ${host}: tailscale --accept-dns would rewrite the static /etc/resolv.conf of feature static-dns: drop feature static-dns (MagicDNS then goes through systemd-resolved), or set hub.features.tailscale.acceptDns = false in hosts/${host}/default.nix";
      }
      {
        assertion = !(magicDNS && owner == "networkmanager");
        message = "host ${host}: tailscale --accept-dns without systemd-resolved overwrites the /etc/resolv.conf NetworkManager writes (tailscale's direct mode): drop feature networkmanager-dns (MagicDNS then goes through systemd-resolved), or set hub.features.tailscale.acceptDns = false in hosts/${host}/default.nix";
      }
    ];
  };
}
