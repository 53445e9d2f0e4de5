# Ansible: ansible, ansible-lint, ansible-language-server; packages, servers, extensions and
# environment in nix/languages.nix.
import ../../../nix/language-module.nix "ansible" { }
