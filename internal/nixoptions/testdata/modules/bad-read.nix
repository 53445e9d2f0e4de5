# Reading a path that is no option fails as surely as setting one.
{ config, lib, ... }:
let
  resolved = config.services.resolved;
in
{
  networking.hostName = lib.mkIf config.services.resolved.settings.Resolve.enable "x";
  warnings = lib.optional resolved.dnsOverTls "DNS over TLS";
}
