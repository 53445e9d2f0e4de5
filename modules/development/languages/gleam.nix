# Gleam: compiler with its built-in language server and formatter, on Erlang/OTP and rebar3;
# packages, servers, extensions and environment in nix/languages.nix.
import ../../../nix/language-module.nix "gleam" { }
