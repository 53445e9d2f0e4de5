# Erlang/OTP: erl, rebar3, erlang-language-platform (ELP, also the formatter); packages, servers,
# extensions and environment in nix/languages.nix.
import ../../../nix/language-module.nix "erlang" { }
