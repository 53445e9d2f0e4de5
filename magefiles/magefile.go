//go:build mage

// The hub's Mage targets. Targets are thin: they parse typed arguments, call pkg/, and print.
// Every target has a doc comment, so `go tool mage -l` is the help screen.
package main
