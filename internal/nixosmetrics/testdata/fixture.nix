# Toplevels laid out like NixOS systems, built from builtins only (no nixpkgs): kernel, initrd,
# kernel-modules/lib/modules/<ver>, systemd, kernel-params, nixos-version, optional configuration-revision,
# flake.lock and specialisations. Built by fixture_test.go with internal/nix's Local settings (no sandbox, no build users).
let
  mk = name: script: derivation {
    inherit name;
    system = builtins.currentSystem;
    builder = "/bin/sh";
    args = [ "-c" script ];
    PATH = "/bin:/usr/bin";
  };
  kernel = v: mk "linux-${v}" "mkdir -p $out && echo bzImage-${v} > $out/bzImage";
  modules = v: mk "linux-${v}-modules" "mkdir -p $out/lib/modules/${v}/kernel && echo mod > $out/lib/modules/${v}/kernel/e1000.ko";
  initrd = v: mk "initrd-linux-${v}" "mkdir -p $out && echo initrd-${v} > $out/initrd";
  systemd = v: mk "systemd-${v}" "mkdir -p $out/lib/systemd && echo ${v} > $out/lib/systemd/systemd";
  flakeLock = builtins.toFile "flake.lock" (builtins.toJSON {
    version = 7;
    root = "root";
    nodes = {
      root.inputs = { nixpkgs = "nixpkgs"; home-manager = "home-manager"; hm-nixpkgs = [ "home-manager" "nixpkgs" ]; };
      nixpkgs.locked = { lastModified = 1717200000; rev = "bbbbbbb"; type = "github"; };
      home-manager = { inputs.nixpkgs = [ "nixpkgs" ]; locked = { lastModified = 1717000000; type = "github"; }; };
    };
  });
  toplevel = { name, kv, sv ? "255.4", kp ? "loglevel=4", version, rev ? null, lock ? false, specs ? { } }:
    mk "nixos-system-${name}" (''
      mkdir -p $out/specialisation
      ln -s ${kernel kv}/bzImage $out/kernel
      ln -s ${initrd kv}/initrd $out/initrd
      ln -s ${modules kv} $out/kernel-modules
      ln -s ${systemd sv} $out/systemd
      printf '%s' '${kp}' > $out/kernel-params
      printf '%s' '${version}' > $out/nixos-version
    '' + (if rev == null then "" else "printf '%s\\n' '${rev}' > $out/configuration-revision\n")
       + (if lock then "mkdir -p $out/etc/hub && cp ${flakeLock} $out/etc/hub/flake.lock\n" else "")
       + builtins.concatStringsSep "" (builtins.attrValues (builtins.mapAttrs (n: t: "ln -s ${t} $out/specialisation/${n}\n") specs)));
  gaming = toplevel { name = "p620-gaming"; kv = "6.6.31"; kp = "loglevel=4 threadirqs"; version = "24.05.20240602.bbbbbbb (Uakari)"; };
in
{
  gen1 = toplevel { name = "p620-1"; kv = "6.6.30"; version = "24.05.20240601.aaaaaaa (Uakari)"; };
  gen2 = toplevel { name = "p620-2"; kv = "6.6.31"; version = "24.05.20240602.bbbbbbb (Uakari)"; rev = "0123abcdef"; lock = true; };
  gen2sd = toplevel { name = "p620-2-systemd"; kv = "6.6.31"; sv = "256.1"; version = "24.05.20240602.bbbbbbb (Uakari)"; };
  gen2kp = toplevel { name = "p620-2-params"; kv = "6.6.31"; kp = "loglevel=4 mitigations=off"; version = "24.05.20240602.bbbbbbb (Uakari)"; };
  testsys = toplevel { name = "p620-test"; kv = "6.6.31"; version = "24.05.20240603.ccccccc (Uakari)"; };
  withspec = toplevel { name = "p620-spec"; kv = "6.6.31"; version = "24.05.20240602.bbbbbbb (Uakari)"; specs = { inherit gaming; }; };
  inherit gaming;
  gone = toplevel { name = "p620-gone"; kv = "6.6.29"; version = "24.05.20240501.ddddddd (Uakari)"; };
}
