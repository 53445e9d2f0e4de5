package nixosmetrics

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/nix"
)

// chrootStore is a real Nix store of its own (nix-store --store <dir>): its database is the one
// Nix writes, with Nix's schema, and no other test or build on the machine touches it.
type chrootStore struct {
	t   *testing.T
	dir string
}

func newChrootStore(t *testing.T) *chrootStore {
	t.Helper()
	if _, err := exec.LookPath("nix-store"); err != nil {
		t.Skip("nix-store not installed: the store database tests need real Nix")
	}
	return &chrootStore{t: t, dir: t.TempDir()}
}

func (s *chrootStore) nixStore(args ...string) string {
	s.t.Helper()
	cmd := exec.Command("nix-store", append(append([]string{"--store", s.dir}, nix.Local().Args()...), args...)...)
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			err = fmt.Errorf("%w: %s", err, ee.Stderr)
		}
		s.t.Errorf("nix-store %s: %v", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out))
}

// add puts a file of n bytes into the store and returns its store path.
func (s *chrootStore) add(name string, n int) string {
	s.t.Helper()
	f := filepath.Join(s.t.TempDir(), name)
	if err := os.WriteFile(f, []byte(strings.Repeat("x", n)), 0o644); err != nil {
		s.t.Fatal(err)
	}
	return s.nixStore("--add", f)
}

func (s *chrootStore) db() string { return filepath.Join(s.dir, StoreDB) }

// narSizes is what Nix itself reports for the paths: nix-store --query --size.
func (s *chrootStore) narSizes(paths []string) int64 {
	s.t.Helper()
	var total int64
	for _, line := range strings.Fields(s.nixStore(append([]string{"--query", "--size"}, paths...)...)) {
		n, err := strconv.ParseInt(line, 10, 64)
		if err != nil {
			s.t.Fatalf("nix-store --query --size: %q", line)
		}
		total += n
	}
	return total
}

func TestStoreScanSumsNarSizeFromTheDatabase(t *testing.T) {
	s := newChrootStore(t)
	var paths []string
	for i, n := range []int{10, 5000, 300000} {
		paths = append(paths, s.add(fmt.Sprintf("f%d", i), n))
	}
	want := s.narSizes(paths)
	res := (&StoreScanner{FS: FS{Root: s.dir}, Timeout: time.Minute}).Scan(context.Background())
	if res.StoreErr != nil {
		t.Fatal(res.StoreErr)
	}
	if res.StoreBytes != want || res.StorePaths != int64(len(paths)) {
		t.Errorf("store = %d bytes in %d paths, want %d bytes (nix-store --query --size) in %d paths", res.StoreBytes, res.StorePaths, want, len(paths))
	}
}

// holdOpen starts a nix process that keeps the store's database open until the test ends, as a
// running nix-daemon worker or build does: the -wal and -shm files exist meanwhile.
func (s *chrootStore) holdOpen() {
	s.t.Helper()
	cmd := exec.Command("nix-store", append(append([]string{"--store", s.dir}, nix.Local().Args()...), "--serve")...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		s.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { stdin.Close(); cmd.Wait() })
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if st, err := dbFileState(s.db()); err == nil && st.wal {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatal("nix-store --serve did not open the database")
		}
	}
}

// dbCases are the two states a reader meets on a host: no nix process has the database open
// between nix commands (the last one removed -wal and -shm), or one has. gap is the pause
// between two nix commands.
var dbCases = []struct {
	name string
	held bool
	gap  time.Duration
}{{"idle between nix commands", false, 150 * time.Millisecond}, {"held open by nix", true, 0}}

// Nix registers paths while the exporter reads: every read must succeed and see a committed
// state (the count only grows, and the last read sees every path).
func TestStoreDBReadWhileNixWrites(t *testing.T) {
	for _, tc := range dbCases {
		t.Run(tc.name, func(t *testing.T) {
			s := newChrootStore(t)
			s.add("first", 1)
			if tc.held {
				s.holdOpen()
			}
			const adds = 30
			done := make(chan struct{})
			defer func() { <-done }() // the writer reports through t: it must end within the test
			go func() {
				defer close(done)
				for i := range adds {
					s.add(fmt.Sprintf("w%d", i), 100*i)
					time.Sleep(tc.gap)
				}
			}()
			var reads int
			last := int64(0)
			for running := true; running; reads++ {
				select {
				case <-done:
					running = false
				default:
				}
				_, paths, err := storeDBTotals(context.Background(), s.db())
				if err != nil {
					t.Fatalf("read %d while nix writes: %v", reads, err)
				}
				if paths < last {
					t.Fatalf("read %d: %d paths after %d: not a committed state", reads, paths, last)
				}
				last = paths
			}
			if last != adds+1 {
				t.Errorf("last read: %d paths, want %d", last, adds+1)
			}
			t.Logf("%d reads beside %d nix-store --add", reads, adds)
		})
	}
}

// The exporter runs as a DynamicUser that may not create files in /nix/var/nix/db. When no nix
// process has the database open there are no -wal and -shm files, and SQLite's read-only WAL open
// fails ("attempt to write a readonly database"); the reader must still get the totals, and must
// leave nothing behind. While nix has it open, the reader gets them through the existing files.
// The test binary reads as user nobody in a child process.
func TestStoreDBReadByAnUnprivilegedUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run a child as nobody")
	}
	bin := copyTestBinary(t)
	for _, tc := range dbCases {
		t.Run(tc.name, func(t *testing.T) {
			s := newChrootStore(t)
			for i := range 3 {
				s.add(fmt.Sprintf("f%d", i), 1000*(i+1))
			}
			if tc.held {
				s.holdOpen()
			}
			wantSize, wantPaths, err := storeDBTotals(context.Background(), s.db())
			if err != nil {
				t.Fatal(err)
			}
			if !tc.held {
				assertNothingLeft(t, s.db(), "root's read")
			}
			for dir := s.dir; dir != "/" && dir != os.TempDir(); dir = filepath.Dir(dir) {
				if err := os.Chmod(dir, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			cmd := exec.Command(bin, "-test.run=^TestHelperStoreDBRead$")
			cmd.Env = append(os.Environ(), "HUB_TEST_STOREDB="+s.db())
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("read as nobody: %v\n%s", err, out)
			}
			want := fmt.Sprintf("totals %d %d", wantSize, wantPaths)
			if !strings.Contains(string(out), want) {
				t.Errorf("read as nobody:\n%s\nwant a line %q", out, want)
			}
			if !tc.held {
				assertNothingLeft(t, s.db(), "the read as nobody")
			}
		})
	}
}

// assertNothingLeft checks that a reader created no -wal or -shm file beside a database no
// nix process has open: files in nix's directory that a reader made and cannot remove.
func assertNothingLeft(t *testing.T, db, who string) {
	t.Helper()
	for _, suffix := range []string{"-wal", "-shm"} {
		if _, err := os.Lstat(db + suffix); err == nil {
			t.Errorf("%s left %s behind", who, db+suffix)
		}
	}
}

// TestHelperStoreDBRead is the child of TestStoreDBReadByAnUnprivilegedUser.
func TestHelperStoreDBRead(t *testing.T) {
	file := os.Getenv("HUB_TEST_STOREDB")
	if file == "" {
		t.Skip("run by TestStoreDBReadByAnUnprivilegedUser")
	}
	size, paths, err := storeDBTotals(context.Background(), file)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("totals %d %d\n", size, paths)
}

// copyTestBinary puts the running test binary where user nobody can execute it.
func copyTestBinary(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "nixosmetrics.test")
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	for d := dir; d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return bin
}
