# Go: toolchain, gopls, goimports, golangci-lint, delve; packages, servers, extensions and
# environment in nix/languages.nix.
import ../../../nix/language-module.nix "go" { }
