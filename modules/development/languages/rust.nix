# Rust: cargo, rustc, rust-analyzer, clippy, rustfmt; packages, servers, extensions and environment
# in nix/languages.nix.
import ../../../nix/language-module.nix "rust" { }
