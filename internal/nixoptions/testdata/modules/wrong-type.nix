# Right option, wrong kind of value.
{ ... }:
{
  services.openssh.enable = "yes";
  services.openssh.ports = [ 22 70000 ];
  services.resolved.dnssec = "maybe";
}
