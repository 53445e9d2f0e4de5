// Package secrets manages the fleet's agenix-compatible age secrets: the same secrets.nix and
// .age files agenix reads, so either tool can edit what the other wrote.
//
// The rules come first: [LoadRules] evaluates secrets.nix (who may decrypt each file) into
// [Rules]. With them:
//
//   - [Encrypt], [Decrypt] and [DecryptFile] are age with the rules' recipients (ssh-ed25519,
//     ssh-rsa and X25519 keys, [ParseRecipient]); identities come from [LoadIdentities].
//   - [Edit] decrypts into memory-backed storage only ([MemoryDir]), runs $EDITOR and
//     re-encrypts when the text changed.
//   - [PlanRekey] and [Rekey] re-encrypt exactly the files whose recipients changed, crash-safe
//     (every write is internal/durablefile's; [RemoveStaleTemps] sweeps what a killed run left).
//   - [Audit] and [Check] read each file's header, without any private key, and compare who can
//     decrypt it with the rules; [RenderMatrix] prints the result.
//   - [LoadRotation] and [RenderSchedule] keep secrets/rotation.toml's schedule
//     ([RotationMetrics] is its textfile content) and [Rotation.NewValue] generates a secret's
//     next value; internal/rotation carries a rotation through to the hosts.
//   - [Rules.CheckConfiguration] finds the secrets the NixOS modules read and fails on one
//     that is not declared or has no .age file.
//   - On the hosts: the fleet jobs [StatusJob], [FixJob] and [HostKeysJob] that the secrets:*
//     targets fan out (how agenix runs on a host, decrypting again, and host-key drift, with
//     [ScanHostKey] and [SetKey] for the key a reinstalled host presents).
//
// The age header parser the audit uses is internal/ageheader.
package secrets
