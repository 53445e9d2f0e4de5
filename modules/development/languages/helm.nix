# Helm charts: helm, helm-ls, chart-testing (ct); packages, servers, extensions and environment in
# nix/languages.nix.
import ../../../nix/language-module.nix "helm" { }
