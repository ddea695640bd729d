package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/oauthconf/oauthconf/reference"
)

// openTerminal opens the terminal side of a new pseudo-terminal, so that the
// colour tests run without a controlling terminal (CI, go test's pipes).
func openTerminal(t *testing.T) *os.File {
	t.Helper()
	_, pts := openPTY(t)
	return pts
}

// openPTY opens a new pseudo-terminal: what is written to pts is read from
// ptmx.
func openPTY(t *testing.T) (ptmx, pts *os.File) {
	t.Helper()
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	t.Cleanup(func() { ptmx.Close() })
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, ptmx.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		t.Skipf("unlocking the pseudo-terminal: %v", e)
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, ptmx.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		t.Skipf("naming the pseudo-terminal: %v", e)
	}
	pts, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("opening the pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { pts.Close() })
	return ptmx, pts
}

// TestVerifyColoursOnlyOnATerminal: verify's report on a terminal paints
// its verdict words; with NO_COLOR it does not.
func TestVerifyColoursOnlyOnATerminal(t *testing.T) {
	defective := referenceTarget(t, nil, reference.PasswordAny)
	for _, tc := range []struct {
		description string
		noColor     string
		want        bool
	}{
		{"a terminal gets colours", "", true},
		{"NO_COLOR wins on a terminal", "1", false},
	} {
		t.Run(tc.description, func(t *testing.T) {
			t.Setenv("NO_COLOR", tc.noColor)
			t.Setenv("TERM", "xterm")
			ptmx, pts := openPTY(t)
			read := make(chan string, 1)
			go func() {
				var b strings.Builder
				buf := make([]byte, 4096)
				for {
					n, err := ptmx.Read(buf)
					b.Write(buf[:n])
					if err != nil || strings.Contains(b.String(), "MUST:") {
						break
					}
				}
				read <- b.String()
			}()
			var errb bytes.Buffer
			if code := run(t.Context(), passwordArgs(defective), pts, &errb); code != 1 {
				t.Fatalf("exit %d, want 1: %s", code, errb.String())
			}
			var out string
			select {
			case out = <-read:
			case <-time.After(10 * time.Second):
				t.Fatal("nothing read from the terminal")
			}
			if got := strings.Contains(out, "\x1b[31mFAIL\x1b[0m"); got != tc.want {
				t.Errorf("painted FAIL = %v, want %v:\n%q", got, tc.want, out)
			}
		})
	}
}
