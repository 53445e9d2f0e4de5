package nixosmetrics

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// ScanResult is the outcome of one background store scan.
type ScanResult struct {
	Time         time.Time // when the scan finished
	Duration     time.Duration
	StoreBytes   int64 // sum of the valid paths' NAR sizes, from the store database
	StorePaths   int64 // valid paths in the store database
	StoreErr     error
	ClosureOf    string // the running toplevel whose closure was measured
	ClosureBytes int64
	ClosurePaths int64
	ClosureErr   error
}

// StoreScanner measures the Nix store and the running system's closure in the background: the
// closure is walked file by file, which takes seconds to minutes, far beyond any scrape timeout.
type StoreScanner struct {
	FS FS
	// NixStore is the nix-store binary used to list the closure (nix-store --query --requisites);
	// it consults the store database the binary sees, the host's for a non-/ root.
	NixStore string
	Interval time.Duration
	// Timeout bounds one scan so a hung filesystem cannot pile up scans.
	Timeout time.Duration
	Logger  *slog.Logger
	// Now is the clock; nil means time.Now. Tests fix it for golden output.
	Now func() time.Time

	mu   sync.Mutex
	last *ScanResult
}

func (s *StoreScanner) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Run scans at once and then every Interval until ctx is done.
func (s *StoreScanner) Run(ctx context.Context) {
	t := time.NewTicker(s.Interval)
	defer t.Stop()
	for {
		res := s.Scan(ctx)
		if res.StoreErr != nil || res.ClosureErr != nil {
			s.logger().Warn("store scan", "store_err", res.StoreErr, "closure_err", res.ClosureErr)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *StoreScanner) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// Scan measures once, stores the result for Update and returns it.
func (s *StoreScanner) Scan(ctx context.Context) ScanResult {
	if s.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.Timeout)
		defer cancel()
	}
	begin := time.Now()
	var res ScanResult
	res.StoreBytes, res.StorePaths, res.StoreErr = s.storeSize(ctx)
	if top, err := s.FS.resolve(currentSystem); err != nil {
		res.ClosureErr = err
	} else {
		res.ClosureOf = top
		res.ClosureBytes, res.ClosurePaths, res.ClosureErr = s.closureSize(ctx, top)
	}
	res.Duration = time.Since(begin)
	res.Time = s.now()
	s.mu.Lock()
	s.last = &res
	s.mu.Unlock()
	return res
}

// storeSize sums the NAR sizes of the store's valid paths from the store database, which Nix
// fills as it registers each path. Walking the store instead took minutes on a store of millions
// of files and, on a store that is not optimised, counted hard links made outside .links twice.
func (s *StoreScanner) storeSize(ctx context.Context) (size, paths int64, err error) {
	// Like the store directory, the database is used as found under the root, symlinks and all,
	// so a test root can link <root>/nix/var/nix/db to the host's.
	size, paths, err = storeDBTotals(ctx, s.FS.host(StoreDB))
	if err != nil {
		return 0, 0, fmt.Errorf("store: %w", err)
	}
	return size, paths, nil
}

// closureSize lists the closure with nix-store and sums its files, each inode once.
func (s *StoreScanner) closureSize(ctx context.Context, top string) (size, paths int64, err error) {
	bin := s.NixStore
	if bin == "" {
		bin = "nix-store"
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, "--query", "--requisites", top)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return 0, 0, fmt.Errorf("closure of %s: %w: %s", top, err, strings.TrimSpace(stderr.String()))
	}
	seen := map[[2]uint64]bool{}
	count := func(st *syscall.Stat_t) bool {
		key := [2]uint64{uint64(st.Dev), st.Ino}
		if seen[key] {
			return false
		}
		seen[key] = true
		return true
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		p := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(p, storeDir+"/") {
			continue
		}
		paths++
		n, err := walkSize(ctx, s.FS.host(p), count)
		if err != nil {
			return 0, 0, fmt.Errorf("closure of %s: %w", top, err)
		}
		size += n
	}
	return size, paths, nil
}

// walkSize sums the apparent size of regular files and symlinks under root, without following
// symlinks; include, if set, decides per inode whether it counts. A live store changes under
// the walk: what vanishes before it is read (a build's .lock file, a path the garbage collector
// deletes) no longer takes up space and is skipped, not an error.
func walkSize(ctx context.Context, root string, include func(*syscall.Stat_t) bool) (int64, error) {
	var total int64
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		fi, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && include != nil && !include(st) {
			return nil
		}
		total += fi.Size()
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("walk %s: %w", root, err)
	}
	return total, nil
}

// StoreCollector exports the last ScanResult; it does no scanning itself.
type StoreCollector struct {
	scanner                                      *StoreScanner
	storeBytes, storePaths, closureBytes         *prometheus.Desc
	closurePaths, scanTime, scanDuration, scanOK *prometheus.Desc
}

// NewStoreCollector exports the results of scanner.
func NewStoreCollector(scanner *StoreScanner) *StoreCollector {
	return &StoreCollector{
		scanner:      scanner,
		storeBytes:   desc("store_size_bytes", "Sum of the NAR sizes of all valid store paths (the store database's narSize), as of the last scan."),
		storePaths:   desc("store_paths", "Number of valid paths in the Nix store database, as of the last scan."),
		closureBytes: desc("closure_size_bytes", "Apparent size of the running system's closure, as of the last scan.", "role"),
		closurePaths: desc("closure_paths", "Number of store paths in the running system's closure, as of the last scan.", "role"),
		scanTime:     desc("store_scan_timestamp_seconds", "When the last background store scan finished."),
		scanDuration: desc("store_scan_duration_seconds", "How long the last background store scan took."),
		scanOK:       desc("store_scan_success", "Whether the last scan measured the part (store or closure).", "part"),
	}
}

// Update sends the last scan's results; before the first scan finishes it sends nothing.
func (c *StoreCollector) Update(_ context.Context, ch chan<- prometheus.Metric) error {
	c.scanner.mu.Lock()
	last := c.scanner.last
	c.scanner.mu.Unlock()
	if last == nil {
		return nil
	}
	ch <- gauge(c.scanTime, float64(last.Time.UnixNano())/1e9)
	ch <- gauge(c.scanDuration, last.Duration.Seconds())
	ch <- gauge(c.scanOK, boolf(last.StoreErr == nil), "store")
	ch <- gauge(c.scanOK, boolf(last.ClosureErr == nil), "closure")
	if last.StoreErr == nil {
		ch <- gauge(c.storeBytes, float64(last.StoreBytes))
		ch <- gauge(c.storePaths, float64(last.StorePaths))
	}
	if last.ClosureErr == nil {
		ch <- gauge(c.closureBytes, float64(last.ClosureBytes), "current")
		ch <- gauge(c.closurePaths, float64(last.ClosurePaths), "current")
	}
	return nil
}
