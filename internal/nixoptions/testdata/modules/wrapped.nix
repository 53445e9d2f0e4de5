# Definitions behind mkIf, mkMerge, mkDefault and mkForce are walked whatever their conditions.
{ config, lib, ... }:
{
  config = lib.mkIf config.services.openssh.enable (lib.mkMerge [
    {
      services.resolved.settings.Resolve.DNSSEC = "true";
    }
    (lib.mkDefault {
      services.tailscale.enable = "yes";
    })
    {
      services.tailscale.useRoutingFeatures = lib.mkForce "sometimes";
      services.resolved.enable = lib.mkIf false true;
    }
  ]);
}
