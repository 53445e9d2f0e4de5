//go:build race

package localfleet

// The race detector slows every process the fleet spawns from Go several times over.
const raceEnabled = true
