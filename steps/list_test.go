package steps

import (
	"context"
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/oauthconf/oauthconf/features"
)

// TestListAgreesWithTheRun: for each built-in profile against the reference
// with the demo credentials, every scenario verify --list skips is skipped
// by the run, every scenario it lists as a plain run is not skipped as not
// applicable, and both give the scenario the same line.
func TestListAgreesWithTheRun(t *testing.T) {
	ts := startReference(t)
	for _, name := range builtinProfiles {
		t.Run(name, func(t *testing.T) {
			o := demoOptions(t, name, ts.URL)
			o.SkipSlow = true
			plan, err := List(o)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Run(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			ran := map[string]*ScenarioResult{}
			for _, s := range res.Profiles[0].Scenarios {
				ran[strings.TrimPrefix(s.URI, "./")+" / "+s.Name] = s
			}
			for _, p := range plan {
				s := ran[p.URI+" / "+p.Name]
				switch {
				case s == nil:
					t.Errorf("%s / %s: listed, not run", p.URI, p.Name)
				case p.Reason != "" && s.Status != StatusSkipped:
					t.Errorf("%s / %s: --list says skip (%s), the run says %s", p.URI, p.Name, p.Reason, s.Status)
				case p.Reason == "" && p.May == "" && s.Status == StatusSkipped:
					t.Errorf("%s / %s: --list says run, the run skipped it: %s", p.URI, p.Name, s.Message)
				case s.Line != p.Line:
					t.Errorf("%s / %s: --list says line %d, the run's reports %d", p.URI, p.Name, p.Line, s.Line)
				}
			}
		})
	}
}

// TestListLinesPointAtTheirScenario: every line verify --list gives is the
// scenario's Scenario line, or for an outline's example its row, under an
// outline whose title matches.
func TestListLinesPointAtTheirScenario(t *testing.T) {
	o := demoOptions(t, "rfc6749", "http://127.0.0.1:1")
	plan, err := List(o)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]string{}
	for _, p := range plan {
		if files[p.URI] == nil {
			b, err := fs.ReadFile(features.FS, p.URI)
			if err != nil {
				t.Fatal(err)
			}
			files[p.URI] = strings.Split(string(b), "\n")
		}
		lines := files[p.URI]
		if p.Line < 1 || p.Line > len(lines) {
			t.Errorf("%s / %s: line %d is outside the file", p.URI, p.Name, p.Line)
			continue
		}
		text := strings.TrimSpace(lines[p.Line-1])
		if title, ok := strings.CutPrefix(text, "Scenario:"); ok {
			if strings.TrimSpace(title) != p.Name {
				t.Errorf("%s:%d is %q, want the scenario %q", p.URI, p.Line, text, p.Name)
			}
			continue
		}
		if !strings.HasPrefix(text, "|") || !outlineAbove(lines[:p.Line-1], p.Name) {
			t.Errorf("%s:%d is %q, want the scenario %q or its example row", p.URI, p.Line, text, p.Name)
		}
	}
}

// outlineAbove reports whether the nearest Scenario Outline above has a title
// that, its <placeholders> filled in, can be name.
func outlineAbove(lines []string, name string) bool {
	for i := len(lines) - 1; i >= 0; i-- {
		text := strings.TrimSpace(lines[i])
		if strings.HasPrefix(text, "Scenario:") {
			return false
		}
		if title, ok := strings.CutPrefix(text, "Scenario Outline:"); ok {
			parts := regexp.MustCompile(`<[^>]+>`).Split(strings.TrimSpace(title), -1)
			for j := range parts {
				parts[j] = regexp.QuoteMeta(parts[j])
			}
			return regexp.MustCompile("^" + strings.Join(parts, ".+") + "$").MatchString(name)
		}
	}
	return false
}
