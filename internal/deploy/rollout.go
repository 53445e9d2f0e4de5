package deploy

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/nixos-hub/hub/internal/parallel"
)

// rollout orders the hosts into batches (the canary alone first) and lets a batch start only
// when the one before it finished without a failure.
type rollout struct {
	order   []string // hosts in rollout order: parallel.Run starts them in this order
	batchOf map[string]int
	batches [][]string

	mu      sync.Mutex
	left    []int           // per batch: hosts not finished yet
	failed  [][]string      // per batch: failed hosts
	done    []chan struct{} // closed when the batch finished
	stopped string
}

func newRollout(names []string, o Options) (*rollout, error) {
	rest := slices.Clone(names)
	var batches [][]string
	if o.Canary != "" {
		i := slices.Index(rest, o.Canary)
		if i < 0 {
			return nil, fmt.Errorf("deploy: canary %q is not among the selected hosts (%s)", o.Canary, strings.Join(names, ", "))
		}
		batches = append(batches, []string{o.Canary})
		rest = slices.Delete(rest, i, i+1)
	}
	size := o.Batch
	if size <= 0 && o.Canary != "" && o.MaxUnavailable > 1 {
		size = o.MaxUnavailable
	}
	if size <= 0 {
		size = max(len(rest), 1)
	}
	for len(rest) > 0 {
		n := min(size, len(rest))
		batches = append(batches, rest[:n])
		rest = rest[n:]
	}
	r := &rollout{batchOf: map[string]int{}, batches: batches}
	for i, b := range batches {
		r.order = append(r.order, b...)
		for _, h := range b {
			r.batchOf[h] = i
		}
		r.left = append(r.left, len(b))
		r.failed = append(r.failed, nil)
		r.done = append(r.done, make(chan struct{}))
	}
	return r, nil
}

// Batches shows how the hosts would be rolled out, for plans and messages.
func (r *rollout) Batches() [][]string { return r.batches }

// wait blocks until the host's batch may start.
func (r *rollout) wait(ctx context.Context, host string) error {
	b := r.batchOf[host]
	if b == 0 {
		return nil
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-r.done[b-1]:
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped != "" {
		return &parallel.StatusError{Status: parallel.StatusNotRun, Err: errors.New(r.stopped)}
	}
	return nil
}

// finished records a host's outcome; the last host of a batch opens the next one.
func (r *rollout) finished(host string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b := r.batchOf[host]
	var se *parallel.StatusError
	if err != nil && (!errors.As(err, &se) || se.Status.Failed()) {
		if !(errors.As(err, &se) && se.Status == parallel.StatusNotRun) {
			r.failed[b] = append(r.failed[b], host)
		}
	}
	r.left[b]--
	if r.left[b] > 0 {
		return
	}
	if len(r.failed[b]) > 0 && r.stopped == "" && b < len(r.batches)-1 {
		what := fmt.Sprintf("batch %d", b+1)
		if b == 0 && len(r.batches[0]) == 1 && len(r.batches) > 1 {
			what = "the canary"
		}
		slices.Sort(r.failed[b])
		r.stopped = fmt.Sprintf("rollout stopped: %s failed (%s)", what, strings.Join(r.failed[b], ", "))
	}
	close(r.done[b])
}

func (r *rollout) stoppedReason() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stopped
}
