# QEMU user-mode emulation through binfmt_misc: this host runs (and so builds) binaries of other
# architectures, e.g. an aarch64 installer image or a Raspberry Pi system, without a remote builder.
# Slow (every instruction is translated), so for occasional builds; Nix learns the extra platforms
# through nix.settings.extra-platforms, which the NixOS module sets.
{ config, lib, ... }:
let
  cfg = config.hub.features.binfmt;
in
{
  options.hub.features.binfmt = {
    systems = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ "aarch64-linux" "riscv64-linux" ];
      description = "Nix system doubles to emulate.";
    };
  };

  config = lib.mkIf cfg.enable {
    boot.binfmt = {
      emulatedSystems = cfg.systems;
      # Registers the interpreter with the F flag so it works inside the Nix sandbox and containers.
      preferStaticEmulators = lib.mkDefault true;
    };
  };
}
