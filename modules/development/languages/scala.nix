# Scala: compiler, sbt, Metals, scalafmt (on the JDK of lang-java); packages, servers, extensions and
# environment in nix/languages.nix.
import ../../../nix/language-module.nix "scala" { }
