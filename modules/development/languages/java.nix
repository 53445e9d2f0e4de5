# Java: JDK, Maven, Gradle, Eclipse JDT language server, google-java-format; packages, servers,
# extensions and environment in nix/languages.nix.
import ../../../nix/language-module.nix "java" { }
