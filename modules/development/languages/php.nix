# PHP: interpreter, Composer, phpactor; packages, servers, extensions and environment in
# nix/languages.nix.
import ../../../nix/language-module.nix "php" { }
