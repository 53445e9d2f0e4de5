# Zig: compiler and zls; packages, servers, extensions and environment in nix/languages.nix.
import ../../../nix/language-module.nix "zig" { }
