package steps

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/oauthconf/oauthconf/features"
)

// TestListLines: every scenario verify --list shows points at its own
// Scenario line in its own feature file (gherkin numbers each file's nodes
// from 0, so the line of one file's scenario must not be another's).
func TestListLines(t *testing.T) {
	plan, err := List(demoOptions(t, "rfc6749", "http://127.0.0.1:1"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range plan {
		data, err := fs.ReadFile(features.FS, p.URI)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(data), "\n")
		if p.Line < 1 || p.Line > len(lines) {
			t.Errorf("%s / %s: line %d is outside features/%s", p.Feature, p.Name, p.Line, p.URI)
			continue
		}
		got := strings.TrimSpace(lines[p.Line-1])
		if !strings.HasPrefix(got, "Scenario") || (!strings.Contains(got, "<") && !strings.HasSuffix(got, ": "+p.Name)) {
			t.Errorf("%s / %s: features/%s:%d is %q, want its Scenario line", p.Feature, p.Name, p.URI, p.Line, got)
		}
	}
}
