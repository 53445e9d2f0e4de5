# The pure half of the microvm feature (modules/virtualization/microvm.nix): a host's [[microvm]]
# tables (host.toml, schema in docs/inventory.md) turned into each guest's microvm.nix settings
# and the host ports its forwards open. Builtins only, no nixpkgs, so it can be evaluated
# anywhere (internal/microvm's tests compare it with internal/inventory's reading of the same tables):
#
#   nix-instantiate --eval --strict --json -E 'import ./modules/lib/microvm-guests.nix {
#     host = builtins.fromTOML (builtins.readFile ./hosts/p620/host.toml); }'
{ host }:
let
  tables = host.microvm or [ ];

  # 9p mount tag of a share: internal/inventory's MicroVMShare.Tag, the same rule.
  trim = s:
    let
      n = builtins.stringLength s;
      start = if n > 0 && builtins.substring 0 1 s == "-" then 1 else 0;
      end = if n > start && builtins.substring (n - 1) 1 s == "-" then n - 1 else n;
    in
    builtins.substring start (end - start) s;
  shareTag = i: s: "s${toString i}-${builtins.substring 0 24 (trim (builtins.replaceStrings [ "." ] [ "-" ] (baseNameOf s.mount)))}";

  guest = vm:
    let shares = vm.shares or [ ]; in {
      autostart = vm.autostart or true;
      # The guest's own host.toml, as nix/features.nix and the users module read it: a server
      # with hardware profile microvm-guest, the table's features, and the host's keys, so
      # whoever deploys the host can log in to its guests.
      toml = {
        class = "server";
        system = host.system or "x86_64-linux";
        hardware = "microvm-guest";
        features = vm.features or [ ];
        users = host.users or { };
      };
      microvm = {
        hypervisor = "qemu";
        vcpu = vm.vcpu or 1;
        mem = vm.memory_mib or 512;
        # User-mode networking: the guest reaches out through the host, and the host forwards
        # ssh_port (and each ports entry) to it, as the local fleet's QEMU does.
        interfaces = [{ type = "user"; id = "usernet"; mac = "02:00:00:00:00:01"; }];
        forwardPorts = [{ from = "host"; host.port = vm.ssh_port; guest.port = 22; }]
          ++ map (p: { from = "host"; host.port = p.host; guest.port = p.guest; }) (vm.ports or [ ]);
        # The host's store, read-only, instead of a store image per guest.
        shares = [{ tag = "ro-store"; source = "/nix/store"; mountPoint = "/nix/.ro-store"; proto = "9p"; }]
          ++ builtins.genList
          (i:
            let s = builtins.elemAt shares i; in
            { tag = shareTag i s; source = s.source; mountPoint = s.mount; proto = "9p"; securityModel = "mapped"; })
          (builtins.length shares);
        volumes =
          if (vm.disk_mib or 0) > 0
          then [{ image = "data.img"; mountPoint = vm.disk_mount or "/data"; size = vm.disk_mib; }]
          else [ ];
      };
    };
in
{
  guests = builtins.listToAttrs (map (vm: { name = vm.name; value = guest vm; }) tables);
  # /etc/hub/microvms.json: what hub-nixos-exporter reports per guest (internal/nixosmetrics).
  exporterList = map (vm: { name = vm.name; autostart = vm.autostart or true; vcpu = vm.vcpu or 1; memory_mib = vm.memory_mib or 512; }) tables;
  # Host ports the forwards listen on, for the firewall.
  ports = builtins.concatLists (map (vm: [ vm.ssh_port ] ++ map (p: p.host) (vm.ports or [ ])) tables);
}
