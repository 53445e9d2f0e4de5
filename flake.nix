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
    # v0.4.3, not v0.4.2: v0.4.2's Rust toolchain does not build against nixos-25.11
    # (lanzaboote issue 510); its module options (enable, pkiBundle) are unchanged.
    lanzaboote = {
      url = "github:nix-community/lanzaboote/v0.4.3";
      inputs.nixpkgs.follows = "nixpkgs";
    };

    # MicroVM guests (feature "microvm", host.toml [[microvm]], docs/microvm.md): its host module
    # runs microvm@NAME units, its guest module turns each table into a VM runner.
    microvm = {
      url = "github:astro/microvm.nix";
      inputs.nixpkgs.follows = "nixpkgs";
    };
  };

  outputs = { self, nixpkgs, agenix, lanzaboote, microvm }:
    let
      lib = nixpkgs.lib;
      systems = [ "x86_64-linux" "aarch64-linux" ];
      forAllSystems = f: lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});

      # A host is a directory under hosts/ with a host.toml: adding one needs no edit here.
      hostNames = builtins.attrNames (lib.filterAttrs
        (name: type: type == "directory" && builtins.pathExists (./hosts + "/${name}/host.toml"))
        (builtins.readDir ./hosts));
      hostSystem = name: (builtins.fromTOML (builtins.readFile (./hosts + "/${name}/host.toml"))).system or "x86_64-linux";

      # Installer ISO per host (nix/installer.nix), only under the host's own system: an
      # installer-<host> under another system would still build the host's architecture.
      # internal/installer builds packages.<host.system>.installer-<host>.
      installers = system: lib.listToAttrs (map
        (host: lib.nameValuePair "installer-${host}" (import ./nix/installer.nix { inherit nixpkgs; root = ./.; } host))
        (builtins.filter (host: hostSystem host == system) hostNames));
    in
    {
      overlays.default = final: prev:
        import ./nix/packages.nix { pkgs = final; }
        // { agenix = agenix.packages.${final.stdenv.hostPlatform.system}.default; };

      nixosConfigurations = lib.genAttrs hostNames (import ./nix/host.nix {
        inherit nixpkgs agenix lanzaboote microvm;
        overlay = self.overlays.default;
        root = ./.;
        # The commit the systems are built from (dirtyRev: uncommitted changes on top of it);
        # system.configurationRevision and /etc/hub/nixos-version.json carry it to the exporter.
        revision = self.rev or self.dirtyRev or null;
      });

      packages = forAllSystems (pkgs:
        let hubPackages = import ./nix/packages.nix { inherit pkgs; };
        in hubPackages // { default = hubPackages.hub; } // installers pkgs.stdenv.hostPlatform.system);

      # default: the hub's own tools; one per language of nix/languages.nix with exactly the
      # toolchain its host feature lang-<name> installs (`go tool mage dev:shell NAME`).
      devShells = forAllSystems (pkgs: import ./nix/language-shells.nix { inherit pkgs; }
        // { default = import ./nix/devshell.nix { inherit pkgs; }; });

      checks = forAllSystems (pkgs: import ./nix/checks.nix {
        inherit pkgs;
        src = self;
        hub = self.packages.${pkgs.stdenv.hostPlatform.system}.hub;
      });
    };
}
