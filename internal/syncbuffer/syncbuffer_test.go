package syncbuffer

import (
	"strings"
	"sync"
	"testing"
)

// TestBufferConcurrentWrites writes from several goroutines while reading, so -race sees any
// unguarded access, and checks that no write was lost or torn.
func TestBufferConcurrentWrites(t *testing.T) {
	const writers, lines = 8, 200
	var b Buffer
	var wg sync.WaitGroup
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range lines {
				if _, err := b.Write([]byte("line\n")); err != nil {
					t.Error(err)
					return
				}
				_ = b.String()
			}
		}()
	}
	wg.Wait()
	got := b.String()
	if n := strings.Count(got, "line\n"); n != writers*lines || len(got) != writers*lines*len("line\n") {
		t.Fatalf("got %d whole lines in %d bytes, want %d lines", n, len(got), writers*lines)
	}
}
