# Haskell: GHC, cabal, haskell-language-server, ormolu, hlint; packages, servers, extensions and
# environment in nix/languages.nix.
import ../../../nix/language-module.nix "haskell" { }
