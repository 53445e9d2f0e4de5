# Dockerfiles: dockerfile-language-server, hadolint; packages, servers, extensions and environment
# in nix/languages.nix.
import ../../../nix/language-module.nix "dockerfile" { }
