{
  description = "nixos-hub: the fleet's NixOS configuration and the Go tooling that deploys and watches it";

  inputs = {
    # The one package set for every host, package and shell: the fleet runs one release.
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.11";

    # Secrets decrypted at activation (feature "agenix", on every host). Its darwin and
    # home-manager inputs serve nothing here, so they are cut off instead of being locked.
    agenix = {
      url = "github:ryantm/agenix";
      inputs.nixpkgs.follows = "nixpkgs";
      inputs.darwin.follows = "";
      inputs.home-manager.follows = "";
    };

    # Secure Boot for razer (feature "secure-boot"): nixpkgs has no module that signs UKIs.
    lanzaboote = {
      url = "github:nix-community/lanzaboote/v0.4.2";
      inputs.nixpkgs.follows = "nixpkgs";
    };
  };

  outputs = { self, nixpkgs, agenix, lanzaboote }:
    let
      lib = nixpkgs.lib;
      systems = [ "x86_64-linux" "aarch64-linux" ];
      forAllSystems = f: lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});

      # A host is a directory under hosts/ with a host.toml: adding one needs no edit here.
      hostNames = builtins.attrNames (lib.filterAttrs
        (name: type: type == "directory" && builtins.pathExists (./hosts + "/${name}/host.toml"))
        (builtins.readDir ./hosts));
    in
    {
      overlays.default = final: prev:
        import ./nix/packages.nix { pkgs = final; }
        // { agenix = agenix.packages.${final.stdenv.hostPlatform.system}.default; };

      nixosConfigurations = lib.genAttrs hostNames (import ./nix/host.nix {
        inherit nixpkgs agenix lanzaboote;
        overlay = self.overlays.default;
        root = ./.;
      });

      packages = forAllSystems (pkgs:
        let hubPackages = import ./nix/packages.nix { inherit pkgs; };
        in hubPackages // { default = hubPackages.hub; });

      devShells = forAllSystems (pkgs: { default = import ./nix/devshell.nix { inherit pkgs; }; });

      checks = forAllSystems (pkgs: import ./nix/checks.nix {
        inherit pkgs;
        src = self;
        hub = self.packages.${pkgs.stdenv.hostPlatform.system}.hub;
      });
    };
}
