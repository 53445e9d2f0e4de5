# Ruby: interpreter, ruby-lsp, RuboCop; packages, servers, extensions and environment in
# nix/languages.nix.
import ../../../nix/language-module.nix "ruby" { }
