# Shell scripts: bash-language-server, ShellCheck, shfmt; packages, servers, extensions and
# environment in nix/languages.nix.
import ../../../nix/language-module.nix "shell" { }
