# Resource management for builds. Nix builds inherit the daemon's CPU and I/O scheduling: on a
# workstation or laptop used interactively they should take what the person at it leaves
# (idle), on a build host or a server they must not starve (batch keeps them below interactive
# tasks without being starved by them; nixpkgs' nix-daemon.nix warns that idle can starve
# configuration updates under load). On interactive hosts the builds' memory is capped too
# (MemoryHigh throttles and reclaims the daemon's cgroup instead of letting a build push the
# desktop into swap or the OOM killer).
{ config, lib, ... }:
let
  cfg = config.hub.features.resources;
  class = config.hub.host.toml.class or "server";
  interactive = class != "server" && !config.hub.features.build-host.enable;
in
{
  options.hub.features.resources = {
    buildsYield = lib.mkOption {
      type = lib.types.bool;
      default = interactive;
      defaultText = lib.literalExpression "true on workstations and laptops that are not build hosts";
      description = "Run Nix builds with idle CPU and I/O scheduling so they never slow the desktop.";
    };
    buildMemoryHigh = lib.mkOption {
      type = lib.types.nullOr lib.types.str;
      default = if interactive then "75%" else null;
      defaultText = lib.literalExpression ''"75%" on workstations and laptops that are not build hosts, else null'';
      example = "8G";
      description = "MemoryHigh= of nix-daemon.service (systemd.resource-control(5)); null for no limit.";
    };
  };

  config = lib.mkIf cfg.enable {
    nix.daemonCPUSchedPolicy = lib.mkDefault (if cfg.buildsYield then "idle" else "batch");
    nix.daemonIOSchedClass = lib.mkDefault (if cfg.buildsYield then "idle" else "best-effort");
    systemd.services.nix-daemon.serviceConfig.MemoryHigh = lib.mkIf (cfg.buildMemoryHigh != null) (lib.mkDefault cfg.buildMemoryHigh);
  };
}
