# Debugging and profiling: gdb, lldb, valgrind, strace, ltrace, perf and bpftrace, with what they
# need from the system: debug symbols of installed packages (environment.enableDebugInfo links
# their debug outputs under /run/current-system/sw/lib/debug and points gdb at them through
# NIX_DEBUG_INFO_DIRS) and perf events for unprivileged users.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.debug-tools;
in
{
  options.hub.features.debug-tools = {
    perfEventParanoid = lib.mkOption {
      type = lib.types.ints.between (-1) 4;
      default = 1;
      description = "kernel.perf_event_paranoid: 1 lets users profile their own processes (user and kernel), 2 only user space.";
    };
  };

  config = lib.mkIf cfg.enable {
    environment.systemPackages = [
      pkgs.gdb
      pkgs.lldb
      pkgs.valgrind
      pkgs.strace
      pkgs.ltrace
      pkgs.bpftrace
      config.boot.kernelPackages.perf
    ];
    environment.enableDebugInfo = lib.mkDefault true;
    boot.kernel.sysctl."kernel.perf_event_paranoid" = lib.mkDefault cfg.perfEventParanoid;
  };
}
