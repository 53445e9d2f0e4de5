package parallel

import (
	"context"
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/syncbuffer"
)

func TestInterruptFirstCancelsSecondExits(t *testing.T) {
	tests := []struct {
		name     string
		sig      os.Signal
		wantCode int
	}{
		{"ctrl-c", os.Interrupt, 130},
		{"sigterm", syscall.SIGTERM, 143},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			signals := make(chan os.Signal)
			exited := make(chan int, 1)
			notices := &syncbuffer.Buffer{}
			ctx, stop := WithInterrupt(testContext(t), SignalOptions{Signals: signals, Exit: func(code int) { exited <- code }, Out: notices})
			defer stop()

			signals <- tt.sig
			select {
			case <-ctx.Done():
			case <-time.After(testTimeout):
				t.Fatal("first signal did not cancel the context")
			}
			if cause := context.Cause(ctx); !errors.Is(cause, errInterrupted) {
				t.Errorf("cause = %v, want %v", cause, errInterrupted)
			}
			select {
			case code := <-exited:
				t.Fatalf("exit(%d) after the first signal", code)
			default:
			}
			if !strings.Contains(notices.String(), "cancelling") {
				t.Errorf("no notice after the first signal: %q", notices)
			}

			signals <- tt.sig
			select {
			case code := <-exited:
				if code != tt.wantCode {
					t.Errorf("exit code %d, want %d", code, tt.wantCode)
				}
			case <-time.After(testTimeout):
				t.Fatal("second signal did not exit")
			}
		})
	}
}

func TestInterruptStopReleasesWithoutExiting(t *testing.T) {
	signals := make(chan os.Signal, 1)
	exited := make(chan int, 1)
	ctx, stop := WithInterrupt(testContext(t), SignalOptions{Signals: signals, Exit: func(code int) { exited <- code }, Out: &syncbuffer.Buffer{}})
	stop()
	stop() // idempotent, like a context.CancelFunc
	if !errors.Is(ctx.Err(), context.Canceled) || errors.Is(context.Cause(ctx), errInterrupted) {
		t.Errorf("after stop: err %v, cause %v; want cancelled without interrupt", ctx.Err(), context.Cause(ctx))
	}
	// stop waits for the watcher to end, so nothing consumes this signal any more.
	signals <- os.Interrupt
	if len(signals) != 1 {
		t.Error("a signal sent after stop was consumed")
	}
	if len(exited) != 0 {
		t.Error("exit called after stop")
	}
}
