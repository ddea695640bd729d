//go:build !linux

package main

import (
	"os"
	"testing"
)

// openTerminal opens /dev/tty (skipping without one): pseudo-terminals are
// opened only on Linux.
func openTerminal(t *testing.T) *os.File {
	t.Helper()
	tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("no terminal: %v", err)
	}
	t.Cleanup(func() { tty.Close() })
	return tty
}
