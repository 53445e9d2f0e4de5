# Elm: compiler, elm-language-server, elm-format; packages, servers, extensions and environment in
# nix/languages.nix.
import ../../../nix/language-module.nix "elm" { }
