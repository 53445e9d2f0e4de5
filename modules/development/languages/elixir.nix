# Elixir: Elixir and Erlang/OTP, elixir-ls; packages, servers, extensions and environment in
# nix/languages.nix.
import ../../../nix/language-module.nix "elixir" { }
