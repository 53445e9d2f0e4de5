# Node.js and TypeScript: node, pnpm, tsc, typescript-language-server, biome; packages, servers,
# extensions and environment in nix/languages.nix.
import ../../../nix/language-module.nix "node" { }
