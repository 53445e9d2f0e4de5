# The bug that broke every host: services.resolved.settings only exists from nixpkgs 26.05.
{ lib, ... }:
{
  services.resolved.settings.Resolve.DNSSEC = "true";
}
