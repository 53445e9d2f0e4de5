# Resource management for builds. Nix builds inherit the daemon's CPU and I/O scheduling: on a
# workstation or laptop used interactively they should take what the person at it leaves
# (idle), on a build host or a server they must not starve (batch keeps them below interactive
# tasks without being starved by them; nixpkgs' nix-daemon.nix warns that idle can starve
# configuration updates under load). On interactive hosts the builds' memory is capped too
# (MemoryHigh throttles and reclaims the daemon's cgroup instead of letting a build push the
# desktop into swap or the OOM killer).
#
# Per hardware profile: Nix's max-jobs = auto runs one build per core, each allowed every core
# (cores = 0), which on the intel-integrated profile's small machines (4 cores, RAM shared with
# the GPU) oversubscribes CPU and memory; there two builds at a time are the limit. Build hosts
# keep their own settings (feature build-host).
{ config, lib, ... }:
let
  cfg = config.hub.features.resources;
  class = config.hub.host.toml.class or "server";
  profile = config.hub.host.toml.hardware or null;
  buildHost = config.hub.features.build-host.enable;
  interactive = class != "server" && !buildHost;
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
    maxJobs = lib.mkOption {
      type = lib.types.nullOr lib.types.ints.positive;
      default = if profile == "intel-integrated" && !buildHost then 2 else null;
      defaultText = lib.literalExpression "2 on the intel-integrated profile unless the host is a build host, else null (Nix's auto)";
      description = "nix.settings.max-jobs: builds run at the same time; null leaves Nix's default.";
    };
  };

  config = lib.mkIf cfg.enable {
    nix.settings.max-jobs = lib.mkIf (cfg.maxJobs != null) (lib.mkDefault cfg.maxJobs);
    nix.daemonCPUSchedPolicy = lib.mkDefault (if cfg.buildsYield then "idle" else "batch");
    nix.daemonIOSchedClass = lib.mkDefault (if cfg.buildsYield then "idle" else "best-effort");
    systemd.services.nix-daemon.serviceConfig.MemoryHigh = lib.mkIf (cfg.buildMemoryHigh != null) (lib.mkDefault cfg.buildMemoryHigh);
  };
}
