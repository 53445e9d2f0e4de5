# Hash of the Go module's vendor directory, as buildGoModule's go-modules derivation produces it.
# Computed offline from the committed go.mod/go.sum, never guessed:
#
#   tmp=$(mktemp -d) && git archive HEAD | tar -x -C "$tmp" && (cd "$tmp" && go mod vendor) \
#     && nix --extra-experimental-features nix-command hash path --type sha256 --sri "$tmp/vendor"
#
# It changes whenever a dependency (or the set of imported packages) changes. A stale value makes
# `nix build .#hub` fail with "hash mismatch" and print the correct one: paste that here.
"sha256-Pj9m6ZBo17elZmecRM0dGiMSllIZTwuASGves3pPrmY="
