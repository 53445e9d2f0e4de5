// Package nixoptions checks, offline, that the hub's Nix only sets and reads options that exist
// in nixos-25.11, with values of the right kind. nixpkgs cannot be fetched everywhere, so the
// options are a recorded manifest (nix/options-25.11.json: path, type description, declaring
// file, read from nixpkgs' release-25.11 source and from agenix and lanzaboote), and the
// modules are evaluated by nix/options-check.nix with a stand-in lib, a config tree made of the
// manifest's options, and no pkgs at all.
//
// Check walks what every module file defines (mkIf, mkMerge, mkDefault looked through) and
// reports, as file:line, options the manifest lacks, values whose kind does not fit the
// option's type ("yes" for a boolean, a string outside an enum), aliases the release warns about,
// and reads of paths that are no options. What only a real evaluation shows (module assertions,
// package builds, what a value means) stays with test:eval.
//
// The manifest is a record, not a live view: Regenerate rewrites it with `nix eval` over a real
// nixosSystem's options where the flake's inputs can be fetched (mage nix:optionsManifest), and
// says so in one line where they cannot.
package nixoptions
