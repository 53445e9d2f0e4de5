package assist

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/nixos-hub/hub/internal/command"
)

// RunningRevision reads the git revision the host's running system was built from
// (system.configurationRevision, which the flake sets from self.rev); "" when it has none
// (a build from a dirty tree without dirtyRev, or an older system).
func RunningRevision(ctx context.Context, h *command.Host) (string, error) {
	res, err := h.Run(ctx, command.Cmd{Args: []string{"cat", "/run/current-system/configuration-revision"}})
	if err != nil {
		if res.ExitCode == 1 { // cat: no such file; 255 would be ssh failing
			return "", nil
		}
		return "", err
	}
	return strings.TrimSpace(string(res.Stdout)), nil
}

// nixPaths are what a deploy builds from; secrets/ is age-encrypted and left out.
var nixPaths = []string{"flake.nix", "flake.lock", "hosts", "modules", "nix"}

// NixDiff is the git diff of the Nix configuration in repo from each revision to the work tree,
// one section per distinct revision, naming the hosts that run it. A revision that is not in
// the repository (or "-dirty") is said so rather than failing the review.
func NixDiff(ctx context.Context, local *command.Host, repo string, revs map[string]string) (string, error) {
	byRev := map[string][]string{}
	for host, rev := range revs {
		byRev[rev] = append(byRev[rev], host)
	}
	var keys []string
	for r := range byRev {
		keys = append(keys, r)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, rev := range keys {
		hosts := byRev[rev]
		sort.Strings(hosts)
		commit := strings.TrimSuffix(rev, "-dirty")
		if commit == "" {
			fmt.Fprintf(&b, "# %s: running revision unknown (no configuration-revision)\n", strings.Join(hosts, " "))
			continue
		}
		args := append([]string{"-C", repo, "diff", "--stat", "--patch", commit, "--"}, nixPaths...)
		res, err := local.Run(ctx, command.Cmd{Args: append([]string{"git"}, args...)})
		out := res.Stdout
		if err != nil {
			fmt.Fprintf(&b, "# %s: revision %s is not in this repository (git fetch?)\n", strings.Join(hosts, " "), rev)
			continue
		}
		fmt.Fprintf(&b, "# %s run %s\n%s", strings.Join(hosts, " "), rev, out)
	}
	return b.String(), nil
}
