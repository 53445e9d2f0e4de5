package backup

import (
	"context"
	"errors"
	"strings"

	"github.com/nixos-hub/hub/internal/command"
)

// copyRestic is the command line of a restic subcommand against the set's copy repository.
func (j Job) copyRestic(args ...string) []string {
	return append([]string{"restic", "--repo", j.Set.Copy, "--password-file", j.Set.CopyPasswordFile}, args...)
}

// Copy copies this host's snapshots of the set that the copy repository lacks into it (restic
// copy skips the ones already there), so the set survives the loss of its repository's disk or
// host. A missing copy repository is created only with init, with the source's chunker
// parameters, so copied data deduplicates there as it does in the source. It returns how many
// snapshots were copied.
func (j Job) Copy(ctx context.Context, r Reporter, init bool) (int, error) {
	if j.Set.Copy == "" {
		return 0, j.errf("copy", errors.New("the set has no copy repository in host.toml"))
	}
	if err := j.checkMount(ctx); err != nil {
		return 0, err
	}
	from := []string{"--from-repo", j.Set.Repository, "--from-password-file", j.Set.PasswordFile}
	if _, err := j.Host.Run(ctx, command.Cmd{Args: j.copyRestic("cat", "config")}); err != nil {
		err = classify(err)
		if !errors.Is(err, errNoRepository) || !init {
			return 0, j.errf("open copy repository "+j.Set.Copy, err)
		}
		if _, err := j.Host.Run(ctx, command.Cmd{Args: j.copyRestic(append(append([]string{"init"}, from...), "--copy-chunker-params")...)}); err != nil {
			return 0, j.errf("init copy repository "+j.Set.Copy, classify(err))
		}
		r.Logf("%s: initialised copy repository %s", j.Set.Name, j.Set.Copy)
	}
	res, err := j.Host.Run(ctx, command.Cmd{Args: j.copyRestic(append(append([]string{"copy"}, from...), j.filter()...)...)})
	if err != nil {
		return 0, j.errf("copy to "+j.Set.Copy, classify(err))
	}
	return countCopied(string(res.Stdout)), nil
}

// countCopied counts restic copy's "snapshot <id> saved" lines, one per snapshot it copied
// (those already in the destination are only listed).
func countCopied(out string) int {
	n := 0
	for line := range strings.Lines(out) {
		f := strings.Fields(line)
		if len(f) == 3 && f[0] == "snapshot" && f[2] == "saved" {
			n++
		}
	}
	return n
}
