# Games on the workstation: Steam (unfree) with its controller udev rules, Proton through
# Steam's own runtime, GameMode (CPU governor and scheduler tweaks while a game runs) and
# gamescope as the micro-compositor for upscaling and frame limiting.
{ config, lib, ... }:
let
  cfg = config.hub.features.gaming;
in
{
  options.hub.features.gaming = {
    remotePlay = lib.mkOption {
      type = lib.types.bool;
      default = false;
      description = "Open the firewall for Steam Remote Play (streaming to other devices on the LAN).";
    };
  };

  config = lib.mkIf cfg.enable {
    programs.steam = {
      enable = true;
      remotePlay.openFirewall = lib.mkDefault cfg.remotePlay;
      gamescopeSession.enable = lib.mkDefault true;
    };
    # NixOS' steam module enables hardware.steam-hardware and, with the gamescope session,
    # programs.gamescope itself.
    programs.gamemode.enable = lib.mkDefault true;
    hub.allowUnfree = [ "steam" "steam-unwrapped" "steam-original" "steam-run" ];
  };
}
