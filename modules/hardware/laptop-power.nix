# Battery life on laptops: power-profiles-daemon by default because GNOME drives it directly; TLP
# for hosts that want charge thresholds and per-source policies instead (the two conflict:
# NixOS asserts only one runs).
{ config, lib, ... }:
let
  cfg = config.hub.features.laptop-power;
  tlp = cfg.daemon == "tlp";
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
  };
}
