{
  description = "hub demo installers: small images built with Nix builtins only (no nixpkgs), so iso:build runs for real offline";

  # No inputs on purpose: like nix/localfleet, this must build with nothing but builtins.
  outputs = { self }:
    let
      system = "x86_64-linux";
      # The hosts and hardware profiles of the fleet (hosts/*/host.toml); the real installers come
      # from nix/installer.nix, imported by the repository's flake.
      hosts = {
        p620 = "amd-gpu";
        p510 = "nvidia-gpu";
        razer = "nvidia-gpu";
        dex5550 = "intel-integrated";
        samsung = "intel-integrated";
        hp = "intel-integrated";
      };
      # An ISO-shaped file: a recognisable header, then zeros up to 4 MiB, under iso/ as the
      # NixOS installer puts its image.
      mkImage = host: profile: builtins.derivation {
        name = "hub-installer-${host}";
        inherit system;
        builder = "/bin/sh";
        args = [
          "-c"
          ''
            set -e
            /bin/mkdir -p "$out/iso"
            img="$out/iso/hub-installer-${host}-${profile}.iso"
            printf 'HUB-INSTALLER host=${host} profile=${profile}\n' > "$img"
            /bin/dd if=/dev/zero bs=1024 count=4096 seek=1 of="$img" conv=notrunc 2>/dev/null
          ''
        ];
      };
    in
    {
      packages.${system} = builtins.listToAttrs (map
        (host: { name = "installer-${host}"; value = mkImage host hosts.${host}; })
        (builtins.attrNames hosts));
    };
}
