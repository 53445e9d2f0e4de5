# Memory pressure handling. zram gives every host compressed swap in RAM (a laptop with 16 GB
# survives a large build instead of freezing; a server keeps a smaller share for it), and
# systemd-oomd kills the cgroup under sustained pressure before the kernel's OOM killer has to,
# which on a desktop means losing one runaway build or tab, not the session. Numbers per class,
# all mkDefault so a host's default.nix can tune them. The compressor is chosen per hardware
# profile: intel-integrated is the profile of the fleet's small machines (4-core mini PCs and the
# light laptop), where lz4's lower CPU cost per swapped page matters more than zstd's better ratio;
# the big AMD/NVIDIA machines keep zstd (the kernel's zram documentation compares them).
{ config, lib, ... }:
let
  cfg = config.hub.features.memory;
  class = config.hub.host.toml.class or "server";
  profile = config.hub.host.toml.hardware or null;
in
{
  options.hub.features.memory = {
    zram = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Compressed swap in RAM (zramSwap).";
    };
    zramPercent = lib.mkOption {
      type = lib.types.ints.between 1 100;
      default = if class == "server" then 25 else 50;
      defaultText = lib.literalExpression "25 on servers, 50 on workstations and laptops";
      description = "Largest share of RAM zram may hold (uncompressed), in percent.";
    };
    zramAlgorithm = lib.mkOption {
      type = lib.types.enum [ "zstd" "lz4" "lzo-rle" ];
      default = if profile == "intel-integrated" then "lz4" else "zstd";
      defaultText = lib.literalExpression ''"lz4" on the intel-integrated profile, else "zstd"'';
      description = "Compression algorithm of the zram device (zramSwap.algorithm).";
    };
    swappiness = lib.mkOption {
      type = lib.types.ints.between 0 200;
      default = if cfg.zram then 150 else 60;
      defaultText = lib.literalExpression "150 with zram, else 60";
      description = ''
        vm.swappiness. Swapping to zram costs a compression, not a disk write, so with zram the
        kernel may prefer it over dropping page cache (the kernel's vm.rst: values above 100 suit
        in-memory swap).
      '';
    };
    oomdUserSlices = lib.mkOption {
      type = lib.types.bool;
      default = class != "server";
      defaultText = lib.literalExpression "true except on servers";
      description = "Let systemd-oomd kill user slices under memory pressure (Fedora's default on desktops).";
    };
  };

  config = lib.mkIf cfg.enable {
    zramSwap = lib.mkIf cfg.zram {
      enable = lib.mkDefault true;
      memoryPercent = lib.mkDefault cfg.zramPercent;
      algorithm = lib.mkDefault cfg.zramAlgorithm;
    };
    boot.kernel.sysctl."vm.swappiness" = lib.mkDefault cfg.swappiness;
    # systemd.oomd.enable is already true in NixOS; it acts only on slices that ask for it.
    systemd.oomd = {
      enableRootSlice = lib.mkDefault true;
      enableUserSlices = lib.mkDefault cfg.oomdUserSlices;
    };
  };
}
