# Flake checks: the hub's own checks, runnable offline inside the build sandbox.
{ pkgs, src, hub }:
{
  # Registry graph and every host's feature set, exactly as `hub features:check` reports them.
  features = pkgs.runCommand "hub-features-check" { nativeBuildInputs = [ hub ]; } ''
    cd ${src}
    hub features:check
    touch $out
  '';

  # Every .nix file in the repository parses (the same rule as the hub's test:nixSyntax).
  nix-syntax = pkgs.runCommand "hub-nix-syntax" { nativeBuildInputs = [ pkgs.nix pkgs.findutils ]; } ''
    export NIX_STATE_DIR=$TMPDIR/state NIX_LOG_DIR=$TMPDIR/log
    cd ${src}
    find . -name '*.nix' -print0 | xargs -0 -n1 nix-instantiate --parse >/dev/null
    touch $out
  '';

  # The tools build (the flake's nixosConfigurations use them through the overlay).
  inherit hub;
}
