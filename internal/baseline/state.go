package baseline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/nixos-hub/hub/internal/durablefile"
)

// stateMagic starts every state file; the header line carries the payload's length and CRC so
// a truncated or damaged file is detected instead of half-loaded.
const (
	stateMagic   = "hub-baseline-state"
	stateVersion = 1
	maxWindow    = 1 << 20
	maxMetrics   = 256
)

// State is the persisted part of the baselines: each metric's window, oldest first.
type State struct {
	Windows map[string][]float64 `json:"windows"`
}

// marshalState encodes s with the checked header.
func marshalState(s State) ([]byte, error) {
	payload, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("encode state: %w", err)
	}
	return append([]byte(stateHeader(payload)), payload...), nil
}

func stateHeader(payload []byte) string {
	return fmt.Sprintf("%s %d %08x %d\n", stateMagic, stateVersion, crc32.ChecksumIEEE(payload), len(payload))
}

// parseState decodes a state file, rejecting anything truncated, damaged, or implausible.
func parseState(b []byte) (State, error) {
	header, payload, ok := bytes.Cut(b, []byte("\n"))
	if !ok {
		return State{}, errors.New("state: no header line")
	}
	f := strings.Fields(string(header))
	if len(f) != 4 || f[0] != stateMagic {
		return State{}, errors.New("state: bad header")
	}
	if f[1] != strconv.Itoa(stateVersion) {
		return State{}, fmt.Errorf("state: unsupported version %q", f[1])
	}
	sum, err := strconv.ParseUint(f[2], 16, 32)
	if err != nil {
		return State{}, errors.New("state: bad checksum field")
	}
	n, err := strconv.Atoi(f[3])
	if err != nil || n < 0 {
		return State{}, errors.New("state: bad length field")
	}
	if len(payload) != n {
		return State{}, fmt.Errorf("state: payload is %d bytes, header says %d (truncated?)", len(payload), n)
	}
	if crc32.ChecksumIEEE(payload) != uint32(sum) {
		return State{}, errors.New("state: checksum mismatch")
	}
	var s State
	if err := json.Unmarshal(payload, &s); err != nil {
		return State{}, fmt.Errorf("state: %w", err)
	}
	if len(s.Windows) > maxMetrics {
		return State{}, fmt.Errorf("state: %d metrics, more than %d", len(s.Windows), maxMetrics)
	}
	for name, w := range s.Windows {
		if len(w) > maxWindow {
			return State{}, fmt.Errorf("state: window %s longer than %d", name, maxWindow)
		}
		for _, v := range w {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return State{}, fmt.Errorf("state: window %s holds a non-finite value", name)
			}
		}
	}
	return s, nil
}

// saveState writes s to path atomically and durably: a crash leaves either the old or the new
// file, never a mix (internal/durablefile).
func saveState(path string, s State) error {
	b, err := marshalState(s)
	if err != nil {
		return err
	}
	if err := durablefile.Write(path, b, 0o600); err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	return nil
}

// LoadState reads path. A missing file is an empty state; a damaged one is an error the caller
// logs before starting afresh.
func LoadState(path string) (State, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return State{Windows: map[string][]float64{}}, nil
	}
	if err != nil {
		return State{}, fmt.Errorf("load state: %w", err)
	}
	s, err := parseState(b)
	if err != nil {
		return State{}, fmt.Errorf("load state %s: %w", path, err)
	}
	return s, nil
}
