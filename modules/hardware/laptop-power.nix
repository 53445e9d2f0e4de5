# Battery life on laptops: power-profiles-daemon by default because GNOME drives it directly; TLP
# for hosts that want charge thresholds and per-source policies instead (the two conflict:
# NixOS asserts only one runs). The lid goes through logind's settings, which nixos-25.11 has as
# services.logind.settings.Login (nixpkgs PR 435407, 2025-08; the old services.logind.lidSwitch
# options are renames that warn).
{ config, lib, ... }:
let
  cfg = config.hub.features.laptop-power;
  tlp = cfg.daemon == "tlp";
  # logind.conf(5)'s actions for Handle*= (the ones NixOS' own logind module accepted as an enum).
  lidAction = lib.types.enum [ "ignore" "poweroff" "reboot" "halt" "suspend" "hibernate" "hybrid-sleep" "suspend-then-hibernate" "sleep" "lock" ];
in
{
  options.hub.features.laptop-power = {
    thermald = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Run thermald (Intel CPUs only) to avoid thermal throttling.";
    };
    daemon = lib.mkOption {
      type = lib.types.enum [ "power-profiles-daemon" "tlp" ];
      default = "power-profiles-daemon";
      description = "Which power manager runs: power-profiles-daemon (GNOME's power mode switch) or TLP.";
    };
    chargeThresholds = lib.mkOption {
      type = lib.types.nullOr (lib.types.listOf lib.types.ints.u8);
      default = [ 75 80 ];
      description = "With TLP: start and stop charging the battery at these percentages (longer battery life on a laptop that lives on its charger); null for the firmware's own.";
    };
    lidSwitch = lib.mkOption {
      type = lidAction;
      default = "suspend";
      description = "What closing the lid does on battery (logind's HandleLidSwitch).";
    };
    lidSwitchExternalPower = lib.mkOption {
      type = lidAction;
      default = "lock";
      description = "What closing the lid does on the charger (HandleLidSwitchExternalPower): lock rather than suspend, so a laptop used closed with its charger keeps its network and jobs.";
    };
    lidSwitchDocked = lib.mkOption {
      type = lidAction;
      default = "ignore";
      description = "What closing the lid does with an external display attached (HandleLidSwitchDocked).";
    };
  };

  config = lib.mkIf cfg.enable {
    powerManagement.enable = lib.mkDefault true;
    services.power-profiles-daemon.enable = lib.mkDefault (!tlp);
    services.tlp = lib.mkIf tlp {
      enable = true;
      settings = {
        CPU_ENERGY_PERF_POLICY_ON_BAT = lib.mkDefault "power";
        CPU_ENERGY_PERF_POLICY_ON_AC = lib.mkDefault "balance_performance";
        PLATFORM_PROFILE_ON_BAT = lib.mkDefault "low-power";
      } // lib.optionalAttrs (cfg.chargeThresholds != null) {
        START_CHARGE_THRESH_BAT0 = lib.mkDefault (builtins.elemAt cfg.chargeThresholds 0);
        STOP_CHARGE_THRESH_BAT0 = lib.mkDefault (builtins.elemAt cfg.chargeThresholds 1);
      };
    };
    services.thermald.enable = lib.mkDefault cfg.thermald;
    services.upower.enable = lib.mkDefault true;
    services.logind.settings.Login = {
      HandleLidSwitch = lib.mkDefault cfg.lidSwitch;
      HandleLidSwitchExternalPower = lib.mkDefault cfg.lidSwitchExternalPower;
      HandleLidSwitchDocked = lib.mkDefault cfg.lidSwitchDocked;
    };
  };
}
