package backup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nixos-hub/hub/internal/command"
)

// A restic repository's master key is encrypted under one or more keys, each opened by its own
// password: `restic key add` adds one, `restic key remove` drops one (never the key the command
// itself opened the repository with). A password rotation adds the new key, moves every user of
// the repository to it and only then removes the old one, so some key opens the repository at
// every moment (internal/rotation). These run on the set's host against its repository; passwordFile
// is a file on the host (the set's own, or a rotation's new password beside it).

// Key is one key of a repository as `restic key list --json` lists it.
type Key struct {
	ID      string `json:"id"` // restic's short id, which key remove accepts
	Current bool   `json:"current"`
	User    string `json:"userName"`
	Host    string `json:"hostName"`
	Created string `json:"created"`
}

// resticWith is the command line of a restic subcommand opening the repository with
// passwordFile instead of the set's password file.
func (j Job) resticWith(passwordFile string, args ...string) []string {
	return append([]string{"restic", "--repo", j.Set.Repository, "--password-file", passwordFile}, args...)
}

// keys lists the repository's keys, opening it with passwordFile; the key that password opens is
// the one marked Current.
func (j Job) keys(ctx context.Context, passwordFile string) ([]Key, error) {
	if err := j.checkMount(ctx); err != nil {
		return nil, err
	}
	res, err := j.Host.Run(ctx, command.Cmd{Args: j.resticWith(passwordFile, "key", "list", "--json")})
	if err != nil {
		return nil, j.errf("key list "+j.Set.Repository, classify(err))
	}
	var keys []Key
	if err := json.Unmarshal(res.Stdout, &keys); err != nil {
		return nil, j.errf("key list "+j.Set.Repository, fmt.Errorf("parsing restic key list --json: %w", err))
	}
	return keys, nil
}

// CurrentKey is the id of the key passwordFile opens the repository with.
func (j Job) CurrentKey(ctx context.Context, passwordFile string) (string, error) {
	keys, err := j.keys(ctx, passwordFile)
	if err != nil {
		return "", err
	}
	for _, k := range keys {
		if k.Current {
			return k.ID, nil
		}
	}
	return "", j.errf("key list "+j.Set.Repository, errors.New("restic marked no key as the current one"))
}

// AddKey adds a key opened by newPasswordFile, opening the repository with passwordFile, and
// returns the new key's id (read back through the new password, which so is proven to open the
// repository).
func (j Job) AddKey(ctx context.Context, passwordFile, newPasswordFile string) (string, error) {
	if err := j.checkMount(ctx); err != nil {
		return "", err
	}
	if _, err := j.Host.Run(ctx, command.Cmd{Args: j.resticWith(passwordFile, "key", "add", "--new-password-file", newPasswordFile)}); err != nil {
		return "", j.errf("key add "+j.Set.Repository, classify(err))
	}
	return j.CurrentKey(ctx, newPasswordFile)
}

// RemoveKey removes the key id, opening the repository with passwordFile (which must open
// another key: restic refuses to remove the key in use).
func (j Job) RemoveKey(ctx context.Context, passwordFile, id string) error {
	if err := j.checkMount(ctx); err != nil {
		return err
	}
	if _, err := j.Host.Run(ctx, command.Cmd{Args: j.resticWith(passwordFile, "key", "remove", id)}); err != nil {
		return j.errf("key remove "+id+" from "+j.Set.Repository, classify(err))
	}
	return nil
}
