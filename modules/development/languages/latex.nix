# LaTeX: TeX Live (medium scheme) and the texlab language server; packages, servers, extensions and
# environment in nix/languages.nix.
import ../../../nix/language-module.nix "latex" { }
