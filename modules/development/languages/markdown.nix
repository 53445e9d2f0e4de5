# Markdown: marksman, markdownlint-cli2; packages, servers, extensions and environment in
# nix/languages.nix.
import ../../../nix/language-module.nix "markdown" { }
