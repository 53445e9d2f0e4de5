# Everything the hub's targets call, so `nix develop` is enough to run any of them.
{ pkgs }:
pkgs.mkShell {
  packages = [
    # go.mod asks for Go 1.26: with an older pkgs.go, GOTOOLCHAIN=auto below lets the go command
    # fetch the right toolchain through the module proxy instead of refusing to build.
    (pkgs.go_1_26 or pkgs.go)
    pkgs.nix
    pkgs.openssh
    pkgs.age
    pkgs.restic
    pkgs.prometheus # promtool is in the same package
    pkgs.prometheus-alertmanager # alertmanager and amtool
    pkgs.graphviz # renders features:graph output
    pkgs.shellcheck # test:shellLint
    pkgs.git
  ];
  env.GOTOOLCHAIN = "auto";
}
