# p510: headless media server; the GPUs are kept initialised for Plex/Jellyfin transcoding.
{ ... }:
{
  boot.loader.systemd-boot.enable = true;
  boot.loader.efi.canTouchEfiVariables = true;

  hub.features.nvidia-gpu.headless = true;

  system.stateVersion = "25.11";
}
