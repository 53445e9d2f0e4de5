# Dart: SDK with its language server (dart language-server) and formatter; packages, servers,
# extensions and environment in nix/languages.nix.
import ../../../nix/language-module.nix "dart" { }
