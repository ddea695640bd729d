package steps

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauthconf/oauthconf/internal/outputs"
	"github.com/oauthconf/oauthconf/profile"
	"github.com/oauthconf/oauthconf/reference"
)

// TestLevelGates: a MUST failure always fails the run, a SHOULD only with
// --strict, a MAY never (an optional feature absent or deviating).
func TestLevelGates(t *testing.T) {
	for _, tc := range []struct {
		description string
		level       string
		strict      bool
		want        bool
	}{
		{"a MUST gates", profile.LevelMust, false, true},
		{"a MUST gates with --strict", profile.LevelMust, true, true},
		{"a SHOULD does not gate without --strict", profile.LevelShould, false, false},
		{"a SHOULD gates with --strict", profile.LevelShould, true, true},
		{"a MAY does not gate", profile.LevelMay, false, false},
		{"a MAY does not gate even with --strict", profile.LevelMay, true, false},
	} {
		t.Run(tc.description, func(t *testing.T) {
			if got := LevelGates(tc.level, tc.strict); got != tc.want {
				t.Errorf("LevelGates(%q, strict %v) = %v, want %v", tc.level, tc.strict, got, tc.want)
			}
		})
	}
}

// TestDecideMay: @may sets the level, and requirements overrides move a
// scenario to and from may, the weakest level winning.
func TestDecideMay(t *testing.T) {
	for _, tc := range []struct {
		description string
		tags        []string
		reqs        map[string]string
		want        string
	}{
		{"@may is the level may", []string{"@r", "@may"}, nil, profile.LevelMay},
		{"a profile raises a MAY to must", []string{"@r", "@may"}, map[string]string{"r": "must"}, profile.LevelMust},
		{"a profile lowers a MUST to may", []string{"@r", "@must"}, map[string]string{"r": "may"}, profile.LevelMay},
		{"may is weaker than should", []string{"@r", "@v", "@must"}, map[string]string{"r": "should", "v": "may"}, profile.LevelMay},
		{"off is weaker than may", []string{"@r", "@v", "@must"}, map[string]string{"r": "off", "v": "may"}, profile.LevelOff},
	} {
		t.Run(tc.description, func(t *testing.T) {
			p := &profile.Profile{Name: "x", Requirements: tc.reqs}
			if got, _ := decide(p, Options{}, tc.tags, nil); got != tc.want {
				t.Errorf("decide(%v, requirements %v) = %q, want %q", tc.tags, tc.reqs, got, tc.want)
			}
		})
	}
}

// TestMayNeverGates runs a failing @may scenario (the reference refuses an
// authorization request without redirect_uri although one URI is
// registered, RFC 6749 §3.1.2.3) with and without --strict: the run passes
// (exit 0) either way, the terminal says "optional feature absent or
// deviating", summary.json counts it under may, and junit.xml has no failure.
func TestMayNeverGates(t *testing.T) {
	ts := startReference(t, reference.RedirectURIRequired)
	for _, strict := range []bool{false, true} {
		t.Run(map[bool]string{false: "without --strict", true: "with --strict"}[strict], func(t *testing.T) {
			o := demoOptions(t, "rfc6749", ts.URL)
			o.Tags, o.Strict = "@rfc6749-3.1.2.3-one-uri", strict
			res, err := Run(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			p := res.Profiles[0]
			if p.May.Failed != 1 || p.Must.Failed+p.Should.Failed != 0 {
				t.Fatalf("counts MUST %+v SHOULD %+v MAY %+v, want the one failure under MAY", p.Must, p.Should, p.May)
			}
			if res.Failed() || res.ExitCode() != 0 {
				t.Errorf("a failed MAY fails the run (exit %d)", res.ExitCode())
			}
			var text strings.Builder
			if err := WriteText(&text, res, true); err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"NOTE (MAY: optional feature absent or deviating) rfc6749-3.1.2.3-one-uri", "MAY (optional, never gating): 0 passed, 1 failed"} {
				if !strings.Contains(text.String(), want) {
					t.Errorf("terminal output lacks %q:\n%s", want, text.String())
				}
			}
			dir := t.TempDir()
			if err := WriteReports(dir, res, res.ExitCode()); err != nil {
				t.Fatal(err)
			}
			checkMayOutputs(t, dir)
		})
	}
}

// checkMayOutputs checks summary.json and junit.xml of TestMayNeverGates.
func checkMayOutputs(t *testing.T, dir string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(outputs.SummaryPath)))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := outputs.ParseSummary(b)
	if err != nil {
		t.Fatal(err)
	}
	sp := sum.Profiles[0]
	if sp.May.Failed != 1 || sp.Must.Failed != 0 || *sum.ExitCode != 0 {
		t.Errorf("summary.json: must %+v may %+v exit %d, want the failure under may and exit 0", sp.Must, sp.May, *sum.ExitCode)
	}
	if len(sp.RootCauses) != 1 || sp.RootCauses[0].Level != profile.LevelMay {
		t.Errorf("summary.json root causes = %+v, want one at level may", sp.RootCauses)
	}
	j := readJUnit(t, filepath.Join(dir, "junit.xml"))
	if j.Failures != 0 {
		t.Errorf("junit.xml has %d failures, want none: a MAY never gates", j.Failures)
	}
	found := false
	for _, s := range j.Suites {
		for _, c := range s.Cases {
			found = found || strings.Contains(c.SystemOut, "optional feature absent or deviating, never gating")
		}
	}
	if !found {
		t.Error("junit.xml: no test case says the MAY failure is an optional feature absent or deviating")
	}
}
