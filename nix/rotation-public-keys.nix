# The public halves of the key pairs `go tool mage secrets:rotate` generates, as it records them
# in secrets/rotation.toml (public_key), by secret name without .age: { wireguard-p620 = "...";
# binary-cache-key = "binary-cache-key:..."; }. The configuration that needs a public key (a
# WireGuard peer's publicKey, the binary cache's key in trusted-public-keys) reads it here at
# evaluation, so a rotation reaches it with the next deploy of those hosts instead of by a copy.
# Pure: builtins only, evaluable without nixpkgs (internal/secrets tests it with nix-instantiate).
{ rotationFile ? ../secrets/rotation.toml }:
let
  specs = builtins.fromTOML (builtins.readFile rotationFile);
  withKey = builtins.filter (n: specs.${n} ? public_key && specs.${n}.public_key != "") (builtins.attrNames specs);
  bare = n: let m = builtins.match "(.*)\\.age" n; in if m == null then n else builtins.head m;
in
builtins.listToAttrs (map (n: { name = bare n; value = specs.${n}.public_key; }) withKey)
