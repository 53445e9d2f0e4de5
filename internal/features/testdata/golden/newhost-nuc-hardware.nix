# The hardware of nuc has not been recorded yet. On the machine, run
#   nixos-generate-config --show-hardware-config > hosts/nuc/hardware-configuration.nix
# (or scaffold again with the file). Until then the host fails evaluation on purpose, so it cannot
# be deployed with guessed file systems.
{ ... }:
{
  assertions = [
    {
      assertion = false;
      message = "host nuc: hosts/nuc/hardware-configuration.nix has not been generated; run nixos-generate-config --show-hardware-config on the machine and save its output there";
    }
  ];
}
