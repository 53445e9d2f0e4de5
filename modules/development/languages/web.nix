# HTML and CSS: vscode-html/css-language-server, emmet-language-server, tailwindcss-language-server;
# packages, servers, extensions and environment in nix/languages.nix.
import ../../../nix/language-module.nix "web" { }
