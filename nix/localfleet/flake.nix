{
  description = "hub local fleet: NixOS-shaped systems built with Nix builtins only (no nixpkgs)";

  # No inputs on purpose: the local fleet must build offline, with nothing but builtins.
  outputs = { self }:
    let
      # params.json and variants.json are written by internal/localfleet into the per-fleet copy of
      # this flake; the defaults keep the flake evaluable straight from the repository.
      params =
        if builtins.pathExists ./params.json
        then builtins.fromJSON (builtins.readFile ./params.json)
        else import ./defaults.nix;
      variants =
        if builtins.pathExists ./variants.json
        then builtins.fromJSON (builtins.readFile ./variants.json)
        else { };
      mkSystem = import ./system.nix;
    in
    {
      nixosConfigurations = builtins.mapAttrs
        (name: host: mkSystem {
          inherit name host;
          state = params.state;
          variant = variants.${name} or { };
        })
        params.hosts;
    };
}
