package steps

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestBoundTranscript(t *testing.T) {
	line := strings.Repeat("x", 99) + "\n" // 100 bytes
	cases := []struct {
		description string
		tr          string
		budget      int64
		wantLen     int // at most
		wantCut     bool
	}{
		{"a short transcript is kept whole", line, maxRunTranscript, len(line), false},
		{"a scenario's transcript stops at its bound", strings.Repeat(line, 2000), maxRunTranscript, maxScenarioTranscript + 100, true},
		{"an exhausted run budget leaves only the truncation line", strings.Repeat(line, 10), 0, 100, true},
		{"a partly spent run budget cuts at a line", strings.Repeat(line, 10), 250, 250 + 100, true},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			taken := 0
			got := boundTranscript(tc.tr, newTranscriptBudget(tc.budget), &taken)
			if len(got) > tc.wantLen {
				t.Errorf("len = %d, want at most %d", len(got), tc.wantLen)
			}
			if cut := strings.Contains(got, "transcript truncated:"); cut != tc.wantCut {
				t.Errorf("truncated = %v, want %v:\n%.300s", cut, tc.wantCut, got)
			}
			if tc.wantCut && strings.Count(got, "transcript truncated:") != 1 {
				t.Errorf("want the truncation line once:\n%s", got)
			}
		})
	}
}

func TestBoundTranscriptChargesTheRunOnce(t *testing.T) {
	b := newTranscriptBudget(1000)
	taken := 0
	tr := strings.Repeat("y", 99) + "\n"
	for range 5 { // a scenario's transcript is rendered at each failing hook
		boundTranscript(tr, b, &taken)
	}
	if left := b.left.Load(); left != 900 {
		t.Errorf("budget left = %d, want 900 (one scenario's 100 bytes, charged once)", left)
	}
}

func TestBoundMessage(t *testing.T) {
	msg := strings.Repeat("é", maxMessage) // 2 bytes a rune
	got := boundMessage(msg)
	if len(got) > maxMessage+40 || !utf8.ValidString(got) || !strings.Contains(got, "more bytes") {
		t.Errorf("boundMessage: len %d, valid %v, %q…", len(got), utf8.ValidString(got), got[len(got)-30:])
	}
	if boundMessage("short") != "short" {
		t.Error("a short message changed")
	}
}
