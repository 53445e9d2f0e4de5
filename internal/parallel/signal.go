package parallel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// errInterrupted is the cause of a context cancelled by WithInterrupt.
var errInterrupted = errors.New("interrupted")

// SignalOptions configure WithInterrupt. The zero value handles SIGINT and SIGTERM of the
// process, exits with os.Exit and writes notices to os.Stderr.
type SignalOptions struct {
	// Signals replaces the process's SIGINT/SIGTERM, for tests.
	Signals <-chan os.Signal
	// Exit is called on the second signal; nil means os.Exit.
	Exit func(code int)
	// Out receives the notices printed on each signal; nil means os.Stderr.
	Out io.Writer
}

// WithInterrupt returns a context that the first SIGINT or SIGTERM cancels with an
// errInterrupted cause, so the runner starts nothing new and jobs wind down cleanly. A second
// signal exits at once with 128+signal (130 for Ctrl-C), for a job that does not wind down.
// stop releases the signals and cancels the context; call it when the work is done.
func WithInterrupt(parent context.Context, opts SignalOptions) (ctx context.Context, stop context.CancelFunc) {
	exit, out, sigs := opts.Exit, opts.Out, opts.Signals
	if exit == nil {
		exit = os.Exit
	}
	if out == nil {
		out = os.Stderr
	}
	release := func() {}
	quit, done := make(chan struct{}), make(chan struct{})
	if sigs == nil {
		// Buffered so a signal arriving while the goroutine is busy is not dropped.
		ch := make(chan os.Signal, 2)
		sigs, release = ch, takeOver(ch)
	}
	ctx, cancel := context.WithCancelCause(parent)
	go func() {
		defer close(done)
		select {
		case <-quit:
			return
		case sig := <-sigs:
			// The notice first: what the cancelled jobs print as they stop comes after it (and a
			// caller that waits on ctx finds the notice written).
			fmt.Fprintf(out, "\n%v: cancelling, waiting for running jobs to stop (again to exit now)\n", sig)
			cancel(fmt.Errorf("%w by %v", errInterrupted, sig))
		}
		select {
		case <-quit:
		case sig := <-sigs:
			fmt.Fprintf(out, "\n%v: exiting\n", sig)
			exit(exitCode(sig))
		}
	}()
	var once sync.Once
	return ctx, func() {
		once.Do(func() {
			release()
			close(quit)
			<-done
			cancel(context.Canceled)
		})
	}
}

// takeOverAgain is when the process's signal handlers are taken over a second time.
const takeOverAgain = 200 * time.Millisecond

// takeOver makes ch the only receiver of the process's SIGINT and SIGTERM. Mage's generated main
// has its own SIGINT handler: it cancels the target's context and exits the process 5 s later
// ("cleanup timeout exceeded") whatever the target is still doing, which cut the deploy's abort
// path (rollback requests, waiting for the watchdogs, releasing locks) short. signal.Reset drops
// every registration, mage's included; mage registers its channel just after it starts the
// target, so the take-over is repeated once a moment later, unless released by then. The
// returned release gives the signals back to their default handling.
func takeOver(ch chan<- os.Signal) (release func()) {
	var mu sync.Mutex
	released := false
	grab := func() {
		mu.Lock()
		defer mu.Unlock()
		if !released {
			signal.Reset(os.Interrupt, syscall.SIGTERM)
			signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
		}
	}
	grab()
	again := time.AfterFunc(takeOverAgain, grab)
	return func() {
		again.Stop()
		mu.Lock()
		defer mu.Unlock()
		released = true
		signal.Stop(ch)
	}
}

// exitCode follows the shell convention of 128 plus the signal number.
func exitCode(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 130
}
