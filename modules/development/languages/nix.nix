# Nix: nixd and nil, formatters and linters (nix/languages.nix). nix-direnv's shells are GC roots
# only when the store keeps their outputs and derivations; without these a `nix-collect-garbage`
# makes the next `cd` into a project rebuild its shell.
import ../../../nix/language-module.nix "nix" {
  config = _: {
    nix.settings.keep-outputs = true;
    nix.settings.keep-derivations = true;
  };
}
