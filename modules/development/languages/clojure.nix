# Clojure: CLI tools, Leiningen, babashka, clojure-lsp, clj-kondo (on the JDK of lang-java);
# packages, servers, extensions and environment in nix/languages.nix.
import ../../../nix/language-module.nix "clojure" { }
