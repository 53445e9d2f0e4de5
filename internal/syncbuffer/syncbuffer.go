// Package syncbuffer provides Buffer, a bytes.Buffer that one goroutine writes (a target's or a
// run's output, a logger) while a test reads it from another. It is test support with no
// dependencies, so light packages' tests can use it without importing the local fleet.
package syncbuffer

import (
	"bytes"
	"sync"
)

// Buffer is a bytes.Buffer whose Write and String may be called from different goroutines.
// The zero value is ready to use.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
