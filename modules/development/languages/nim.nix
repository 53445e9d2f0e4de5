# Nim: compiler, nimble, nimlangserver; packages, servers, extensions and environment in
# nix/languages.nix.
import ../../../nix/language-module.nix "nim" { }
