# Three builtins-only "NixOS configurations" for internal/nix's Toplevels test: two that evaluate
# and one whose toplevel throws, as a broken host's module would.
{
  outputs = { self }:
    let
      system = name: {
        config.warnings = [ "${name} warns" ];
        config.system.build.toplevel = derivation {
          inherit name;
          system = "x86_64-linux"; # builtins.currentSystem is impure: flakes evaluate purely
          builder = "/bin/sh";
          args = [ "-c" "echo ${name} > $out" ];
        };
      };
    in
    {
      nixosConfigurations = {
        alpha = system "alpha";
        beta = system "beta";
        broken = { config.warnings = [ ]; config.system.build.toplevel = throw "broken: this host's module fails"; };
      };
    };
}
