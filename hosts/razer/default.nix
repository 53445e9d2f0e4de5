# razer: PRIME laptop. Secure Boot (feature secure-boot) replaces systemd-boot with lanzaboote,
# so no boot loader is set here. Bus IDs come from `lspci | grep -E 'VGA|3D'`.
{ ... }:
{
  boot.loader.efi.canTouchEfiVariables = true;

  hub.features.nvidia-gpu = {
    open = true;
    prime = {
      enable = true;
      intelBusId = "PCI:0:2:0";
      nvidiaBusId = "PCI:1:0:0";
    };
  };

  system.stateVersion = "25.11";
}
