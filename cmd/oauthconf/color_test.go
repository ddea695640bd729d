package main

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
)

func TestUseColor(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	tty := openTerminal(t)
	for _, tc := range []struct {
		description string
		w           io.Writer
		getenv      func(string) string
		want        bool
	}{
		{"a buffer gets no colours", &bytes.Buffer{}, env(), false},
		{"a pipe (CI logs, | less) gets no colours", w, env(), false},
		{"a terminal gets colours", tty, env("TERM", "xterm-256color"), true},
		{"NO_COLOR wins even on a terminal", tty, env("NO_COLOR", "1"), false},
		{"TERM=dumb gets no colours", tty, env("TERM", "dumb"), false},
	} {
		t.Run(tc.description, func(t *testing.T) {
			if got := useColor(tc.w, tc.getenv); got != tc.want {
				t.Errorf("useColor = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestColorizePaintsOnlyTheVerdictWords(t *testing.T) {
	got := colorize("  [p] root causes:\n    FAIL rfc6749-5.2: got 200 (1 scenario)\n    WARN x: y\n  a FAIL inside a line\n")
	if !strings.Contains(got, "    \x1b[31mFAIL\x1b[0m rfc6749-5.2") || !strings.Contains(got, "\x1b[33mWARN\x1b[0m") {
		t.Errorf("verdict words not painted:\n%q", got)
	}
	if !strings.Contains(got, "a FAIL inside a line") {
		t.Errorf("a word inside a line was painted:\n%q", got)
	}
}
