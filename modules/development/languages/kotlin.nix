# Kotlin: compiler, kotlin-language-server, ktlint (on the JDK of lang-java); packages, servers,
# extensions and environment in nix/languages.nix.
import ../../../nix/language-module.nix "kotlin" { }
