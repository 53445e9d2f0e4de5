# The hub's Go programs as packages: the three exporters the monitoring modules run and `hub`, the
# Mage targets compiled into one binary (used by the flake checks and available on every host).
{ pkgs, lib ? pkgs.lib }:
let
  # go.mod declares go 1.26.0 and nixpkgs sets GOTOOLCHAIN=local, so an older Go cannot build the
  # module at all; fail at evaluation with the reason instead of deep inside a build log.
  go = pkgs.go_1_26 or (throw "the hub's go.mod needs Go 1.26, this nixpkgs only has Go ${pkgs.go.version}");
  buildGoModule = pkgs.buildGoModule.override { inherit go; };

  # Only the Go sources: editing a .nix file or a doc does not rebuild the tools.
  src = lib.fileset.toSource {
    root = ./..;
    fileset = lib.fileset.unions [
      ../go.mod
      ../go.sum
      (lib.fileset.maybeMissing ../exporters)
      (lib.fileset.maybeMissing ../internal)
      (lib.fileset.maybeMissing ../magefiles)
    ];
  };

  common = {
    version = "0-unstable";
    inherit src;
    vendorHash = import ./vendor-hash.nix;
    env.CGO_ENABLED = 0;
    ldflags = [ "-s" "-w" ];
    # The tests need the repository around them (hosts/, modules/, nix-instantiate); they run
    # through the hub's own test targets, not inside the package build.
    doCheck = false;
  };

  # Exporters live in exporters/<dir>/; go install names the binary after the directory, so it is
  # renamed to the name the NixOS modules and docs use.
  exporter = dir: pname: description: buildGoModule (common // {
    inherit pname;
    subPackages = [ "exporters/${dir}" ];
    postInstall = ''
      mv "$out/bin/${dir}" "$out/bin/${pname}"
    '';
    meta = { inherit description; mainProgram = pname; platforms = lib.platforms.linux; };
  });
in
{
  hub-nixos-exporter = exporter "nixos" "hub-nixos-exporter" "Prometheus exporter for NixOS generations and reboot state";
  hub-media-exporter = exporter "media" "hub-media-exporter" "Prometheus exporter for Plex, Jellyfin, the *arr apps and Tautulli";
  hub-baseline-exporter = exporter "baseline" "hub-baseline-exporter" "Prometheus exporter for deviations from recorded host baselines";

  hub = buildGoModule (common // {
    pname = "hub";
    # `mage -compile` writes a standalone binary holding every target; mage keeps its cache
    # under $HOME, which does not exist in the build sandbox.
    buildPhase = ''
      runHook preBuild
      export HOME=$TMPDIR
      go tool mage -compile "$TMPDIR/hub"
      runHook postBuild
    '';
    installPhase = ''
      runHook preInstall
      install -Dm755 "$TMPDIR/hub" "$out/bin/hub"
      runHook postInstall
    '';
    meta = { description = "The hub's Mage targets compiled into one binary"; mainProgram = "hub"; };
  });
}
