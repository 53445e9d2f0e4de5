//go:build !race

package localfleet

const raceEnabled = false
