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
)

// ErrInterrupted is the cause of a context cancelled by WithInterrupt.
var ErrInterrupted = errors.New("interrupted")

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
// ErrInterrupted cause, so the runner starts nothing new and jobs wind down cleanly. A second
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
	if sigs == nil {
		// Buffered so a signal arriving while the goroutine is busy is not dropped.
		ch := make(chan os.Signal, 2)
		signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
		sigs, release = ch, func() { signal.Stop(ch) }
	}
	ctx, cancel := context.WithCancelCause(parent)
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		select {
		case <-quit:
			return
		case sig := <-sigs:
			cancel(fmt.Errorf("%w by %v", ErrInterrupted, sig))
			fmt.Fprintf(out, "\n%v: cancelling, waiting for running jobs to stop (again to exit now)\n", sig)
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

// exitCode follows the shell convention of 128 plus the signal number.
func exitCode(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 130
}
