# LaTeX: TeX Live (medium scheme), texlab, latexindent; packages, servers, extensions and
# environment in nix/languages.nix.
import ../../../nix/language-module.nix "latex" { }
