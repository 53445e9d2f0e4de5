# .NET: SDK, csharp-ls, fantomas; packages, servers, extensions and environment in
# nix/languages.nix.
import ../../../nix/language-module.nix "dotnet" { }
