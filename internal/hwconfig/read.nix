# Reads the meaningful part of a hardware file (what nixos-generate-config writes) without
# nixpkgs: the module is called with a stand-in lib whose mk* functions return the value they
# are given, and only the attributes below are forced, so the rest (imports, pkgs, lib calls
# that need nixpkgs) is never looked at.
m0:
let
  lib = {
    mkDefault = v: v;
    mkForce = v: v;
    mkOverride = _: v: v;
    mkIf = c: v: if c then v else { };
    mkOptionDefault = v: v;
  };
  config = { hardware.enableRedistributableFirmware = true; };
  m1 = if builtins.isFunction m0 then m0 { inherit lib config; modulesPath = "/modules"; pkgs = { }; } else m0;
  m = m1.config or m1;
  get = path: default: let r = builtins.foldl' (acc: k: if acc ? ${k} then acc.${k} else null) m path; in if r == null then default else r;
  asList = v: if builtins.isList v then v else [ ];
  fs = get [ "fileSystems" ] { };
in
{
  fileSystems = builtins.mapAttrs (_: f: {
    device = f.device or (if f ? label then "/dev/disk/by-label/${f.label}" else "");
    fsType = f.fsType or "";
    options = asList (f.options or [ ]);
  }) fs;
  swap = map (s: s.device or (if s ? label then "/dev/disk/by-label/${s.label}" else "")) (asList (get [ "swapDevices" ] [ ]));
  luks = builtins.mapAttrs (_: d: d.device or "") (get [ "boot" "initrd" "luks" "devices" ] { });
  initrdAvailableKernelModules = asList (get [ "boot" "initrd" "availableKernelModules" ] [ ]);
  initrdKernelModules = asList (get [ "boot" "initrd" "kernelModules" ] [ ]);
  kernelModules = asList (get [ "boot" "kernelModules" ] [ ]);
  microcode = builtins.filter (v: get [ "hardware" "cpu" v "updateMicrocode" ] false) [ "amd" "intel" ];
  hostPlatform = let p = get [ "nixpkgs" "hostPlatform" ] ""; in if builtins.isString p then p else p.system or "";
}
