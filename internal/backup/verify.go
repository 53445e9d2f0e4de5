package backup

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/nixos-hub/hub/internal/command"
)

// verifyGroups is how many groups the default verify splits the repository's pack files into:
// each run reads the next group (restic check --read-data-subset=n/20, 5% of the data), so
// every pack file is read back within 20 runs of being written. A random 5% (restic's "5%")
// promised nothing: a damaged pack passed 2 of 3 runs.
const verifyGroups = 20

// errDamaged is restic check finding errors: data or metadata that does not read back as written.
var errDamaged = errors.New("the repository is damaged: restic check found errors")

// VerifyOptions tune Verify.
type VerifyOptions struct {
	// ReadDataSubset is restic check's --read-data-subset ("5%", "1/10", "500M"), read as given;
	// empty: the next of Groups groups in turn, the last one read ("3/20") recorded on the host
	// in the set's state_dir (verify-group).
	ReadDataSubset string
	// Groups is how many groups the rotation has; 0: verifyGroups.
	Groups int
	// Sample is how many files of the latest snapshot are restored and compared; 0: 20.
	Sample int
	// Rand picks the sample; nil: a fresh random source.
	Rand *rand.Rand
}

// VerifyResult is what a verification found.
type VerifyResult struct {
	Subset   string // what restic check read: "3/20" in the rotation
	Snapshot string
	Checked  int      // sampled files restored and identical to the source
	Changed  []string // sampled files whose source changed since the snapshot: not comparable
	Mismatch []string // restored content differs from the unchanged source, or did not restore
}

func (v VerifyResult) String() string {
	return fmt.Sprintf("check read %s; snapshot %s: %d sampled files restored and identical to the source, %d changed since, %d mismatched",
		v.Subset, v.Snapshot, v.Checked, len(v.Changed), len(v.Mismatch))
}

// Verify proves the set restorable: restic check reads a subset of the pack files back, then a
// random sample of files of the latest snapshot is restored to a temporary directory on the host
// and compared by SHA-256 with the files it was taken from.
func (j Job) Verify(ctx context.Context, r Reporter, o VerifyOptions) (VerifyResult, error) {
	if o.Groups <= 0 {
		o.Groups = verifyGroups
	}
	stateFile := path.Join(j.Set.StateDir, "verify-group")
	if o.Sample <= 0 {
		o.Sample = 20
	}
	if o.Rand == nil {
		o.Rand = rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0))
	}
	r.Phase(j.Set.Name + ": check")
	if err := j.checkMount(ctx); err != nil {
		return VerifyResult{}, err
	}
	subset, group := o.ReadDataSubset, 0
	if subset == "" {
		last, err := j.Host.Output(ctx, "sh", "-c", `cat -- "$1" 2>/dev/null || true`, "sh", stateFile)
		if err != nil {
			return VerifyResult{}, j.errf("check", err)
		}
		group = nextGroup(last, o.Groups)
		subset = fmt.Sprintf("%d/%d", group, o.Groups)
	}
	res, err := j.Host.Run(ctx, command.Cmd{Args: j.restic("check", "--read-data-subset="+subset)})
	if err != nil {
		return VerifyResult{Subset: subset}, j.errf("check --read-data-subset="+subset, checkError(err))
	}
	r.Logf("%s: restic check --read-data-subset=%s: %s", j.Set.Name, subset, lastLine(string(res.Stdout)))
	if group > 0 {
		// Recorded only after a clean check: a damaged group is read again next time, and
		// keeps failing until the repository is repaired.
		script := `umask 077; mkdir -p "$(dirname "$1")" && printf '%s\n' "$2" > "$1.tmp" && mv -f -- "$1.tmp" "$1"`
		if _, err := j.Host.Run(ctx, command.Cmd{Args: []string{"sh", "-c", script, "sh", stateFile, subset}}); err != nil {
			return VerifyResult{Subset: subset}, j.errf("check", fmt.Errorf("recording the group read: %w", err))
		}
	}

	r.Phase(j.Set.Name + ": sample")
	snap, err := j.resolve(ctx, "latest")
	if err != nil {
		return VerifyResult{}, err
	}
	res, err = j.Host.Run(ctx, command.Cmd{Args: j.restic("ls", "--json", snap.ID)})
	if err != nil {
		return VerifyResult{}, j.errf("sample", classify(err))
	}
	files, err := parseLs(res.Stdout)
	if err != nil {
		return VerifyResult{}, j.errf("sample", err)
	}
	sample := pick(files, o.Sample, o.Rand)
	if len(sample) == 0 {
		return VerifyResult{}, j.errf("sample", fmt.Errorf("snapshot %s holds no regular files to restore", snap.ShortID))
	}
	tmp, err := j.Host.Output(ctx, "mktemp", "-d", "/tmp/hub-verify.XXXXXXXX")
	if err != nil {
		return VerifyResult{}, j.errf("sample", err)
	}
	defer func() {
		// The sample may hold secrets: it must not outlive the check, even a cancelled one.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if _, err := j.Host.Run(cctx, command.Cmd{Args: []string{"rm", "-rf", "--", tmp}}); err != nil {
			r.Logf("%s: removing %s failed: %v", j.Set.Name, tmp, err)
		}
	}()
	args := []string{"restore", snap.ID, "--target", tmp}
	for _, f := range sample {
		args = append(args, "--include", f.Path)
	}
	if _, err := j.Host.Run(ctx, command.Cmd{Args: j.restic(args...)}); err != nil {
		return VerifyResult{Subset: subset}, j.errf("restore sample", fmt.Errorf("restoring %d sampled files failed: %w", len(sample), restoreError(err)))
	}
	compare := []string{"sh", "-c", compareScript, "sh", tmp}
	for _, f := range sample {
		compare = append(compare, f.Path)
	}
	res, err = j.Host.Run(ctx, command.Cmd{Args: compare})
	if err != nil {
		return VerifyResult{}, j.errf("compare", err)
	}
	vr, err := judge(snap.ShortID, sample, res.Stdout)
	vr.Subset = subset
	if err != nil {
		return vr, j.errf("compare", err)
	}
	r.Logf("%s: %s", j.Set.Name, vr)
	if len(vr.Mismatch) > 0 {
		return vr, j.errf("compare", fmt.Errorf("%d of %d sampled files did not restore to their source content: %s",
			len(vr.Mismatch), len(sample), strings.Join(vr.Mismatch, ", ")))
	}
	return vr, nil
}

// nextGroup is the group after the one recorded ("3/20" -> 4, "20/20" -> 1); anything else,
// including a record for another number of groups, starts the rotation again at 1.
func nextGroup(last string, groups int) int {
	n, t, ok := strings.Cut(strings.TrimSpace(last), "/")
	k, err1 := strconv.Atoi(n)
	tt, err2 := strconv.Atoi(t)
	if !ok || err1 != nil || err2 != nil || tt != groups || k < 1 || k > groups {
		return 1
	}
	return k%groups + 1
}

// checkError tells a locked or unopenable repository from a damaged one: restic check exits 1
// for all of them, and "damaged" sends someone to repair a repository that only needed a stale
// lock removed.
func checkError(err error) error {
	err = classify(err)
	var xe *command.ExitError
	switch {
	case errors.Is(err, errLocked), errors.Is(err, errNoRepository):
		return err
	case errors.As(err, &xe) && strings.Contains(xe.Stderr, "wrong password"):
		return err
	case errors.As(err, &xe) && strings.Contains(xe.Stderr, "contains errors"):
		return fmt.Errorf("%w: %w", errDamaged, err)
	}
	return fmt.Errorf("the repository could not be checked: %w", err)
}

// restoreError marks a sample restore that failed on data that does not decrypt or hash as
// written as damage: the sample met a damaged pack before the rotation read its group.
func restoreError(err error) error {
	err = classify(err)
	var xe *command.ExitError
	if errors.As(err, &xe) && (strings.Contains(xe.Stderr, "ciphertext verification failed") || strings.Contains(xe.Stderr, "does not match")) {
		return fmt.Errorf("%w: %w", errDamaged, err)
	}
	return err
}

// compareScript prints, per path: the source's SHA-256, the restored copy's, and the source's
// size and mtime (so a file changed since the snapshot is told apart from a bad restore).
const compareScript = `tmp=$1; shift
for p; do
  if [ -f "$p" ]; then hs=$(sha256sum < "$p" | cut -d' ' -f1); st=$(stat -c '%s %Y' -- "$p"); else hs=-; st='- -'; fi
  if [ -f "$tmp$p" ]; then hr=$(sha256sum < "$tmp$p" | cut -d' ' -f1); else hr=-; fi
  printf '%s %s %s %s\n' "$hs" "$hr" "$st" "$p"
done`

// lsNode is a file of `restic ls --json`.
type lsNode struct {
	Type  string    `json:"type"`
	Path  string    `json:"path"`
	Size  int64     `json:"size"`
	MTime time.Time `json:"mtime"`
	Kind  string    `json:"struct_type"`
}

func parseLs(out []byte) ([]lsNode, error) {
	var files []lsNode
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var n lsNode
		if err := json.Unmarshal(sc.Bytes(), &n); err != nil {
			return nil, fmt.Errorf("parsing restic ls --json: %w", err)
		}
		// Paths the compare script's output could not carry unambiguously are left out.
		if n.Kind == "node" && n.Type == "file" && !strings.ContainsAny(n.Path, "\n\r") {
			files = append(files, n)
		}
	}
	return files, sc.Err()
}

// pick chooses n distinct files at random (all of them when there are fewer).
func pick(files []lsNode, n int, r *rand.Rand) []lsNode {
	idx := r.Perm(len(files))
	if len(idx) > n {
		idx = idx[:n]
	}
	out := make([]lsNode, len(idx))
	for i, k := range idx {
		out[i] = files[k]
	}
	return out
}

// judge compares the compare script's output with the sampled snapshot nodes.
func judge(snap string, sample []lsNode, out []byte) (VerifyResult, error) {
	vr := VerifyResult{Snapshot: snap}
	byPath := map[string]lsNode{}
	for _, n := range sample {
		byPath[n.Path] = n
	}
	seen := 0
	for line := range strings.Lines(string(out)) {
		f := strings.SplitN(strings.TrimSuffix(line, "\n"), " ", 5)
		if len(f) != 5 {
			return vr, fmt.Errorf("unexpected compare output %q", line)
		}
		hs, hr, size, mtime, p := f[0], f[1], f[2], f[3], f[4]
		n, ok := byPath[p]
		if !ok {
			return vr, fmt.Errorf("compare output names %q, which was not sampled", p)
		}
		seen++
		sz, _ := strconv.ParseInt(size, 10, 64)
		mt, _ := strconv.ParseInt(mtime, 10, 64)
		switch {
		case hs == "-" || sz != n.Size || mt != n.MTime.Unix():
			vr.Changed = append(vr.Changed, p)
		case hr == "-" || hr != hs:
			vr.Mismatch = append(vr.Mismatch, p)
		default:
			vr.Checked++
		}
	}
	if seen != len(sample) {
		return vr, errors.New("the compare script did not report every sampled file")
	}
	return vr, nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
