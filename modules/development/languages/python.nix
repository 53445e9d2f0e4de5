# Python 3: interpreter, uv, pyright, ruff; packages, servers, extensions and environment in
# nix/languages.nix.
import ../../../nix/language-module.nix "python" { }
