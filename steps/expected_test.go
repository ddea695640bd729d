package steps

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/oauthconf/oauthconf/features"
	"github.com/oauthconf/oauthconf/internal/outputs"
)

func TestParseExpectedFailuresErrorsNameTheLine(t *testing.T) {
	known := map[string]bool{"rfc6749-5.2": true}
	for _, tc := range []struct {
		description, yaml, want string
	}{
		{"an unknown tag names its entry's line", "- rule: rfc6749-5.2\n  reason: a\n- rule: rfc9999-1\n  reason: b\n",
			"x.yaml:3: unknown requirement tag @rfc9999-1"},
		{"a missing reason", "- rule: rfc6749-5.2\n", "x.yaml:1: the entry for @rfc6749-5.2 gives no reason"},
		{"a bad date", "- rule: rfc6749-5.2\n  reason: a\n  expires: next year\n", "x.yaml:1: line 3: expires \"next year\" is not a date"},
		{"an unknown key", "- rule: rfc6749-5.2\n  reason: a\n  ticket: X-1\n", `x.yaml:1: line 3: unknown key "ticket"`},
		{"not a list", "rule: rfc6749-5.2\n", "x.yaml:1: want a list of entries"},
	} {
		t.Run(tc.description, func(t *testing.T) {
			_, err := ParseExpectedFailures("x.yaml", []byte(tc.yaml), known)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to start with %q", err, tc.want)
			}
		})
	}
}

func TestKnownRulesHaveTheFindingRule(t *testing.T) {
	known, err := KnownRules(fstest.MapFS{"a.feature": {Data: []byte("Feature: A\n  @rfc6749-5.2 @must\n  Scenario: S\n")}})
	if err != nil {
		t.Fatal(err)
	}
	if !known["rfc6749-5.2"] || !known[statusRule] {
		t.Errorf("known = %v, want the feature's tag and %s", known, statusRule)
	}
}

// expectedRun is a profile with one failed MUST scenario (@rfc6749-5.2) and
// one passed one (@rfc6749-4.4).
func expectedRun(strict bool) Result {
	failed := &ScenarioResult{Profile: "p", Feature: "F", Name: "Wrong secret", Tags: []string{"@rfc6749-5.2", "@must"}, Level: "must", Status: StatusFailed, Message: "got 200"}
	passed := &ScenarioResult{Profile: "p", Feature: "F", Name: "Token", Tags: []string{"@rfc6749-4.4", "@must"}, Level: "must", Status: StatusPassed}
	p := &ProfileResult{Name: "p", Must: Counts{Passed: 1, Failed: 1}, Scenarios: []*ScenarioResult{failed, passed},
		RootCauses: []RootCause{{Rule: "rfc6749-5.2", Level: "must", Cause: "got 200", Scenarios: []string{"F / Wrong secret"}}}}
	return Result{Profiles: []*ProfileResult{p}, Strict: strict}
}

func TestApplyExpected(t *testing.T) {
	now := time.Date(2027, 3, 31, 23, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		description string
		yaml        string
		strict      bool
		wantFailed  bool
		wantOutcome string
		wantText    string
	}{
		{"an expected failure does not gate", "- rule: rfc6749-5.2\n  reason: VENDOR-1\n", false, false,
			outputs.ExpectedFailed, "XFAIL rfc6749-5.2: got 200 (1 scenario) [expected failure: VENDOR-1]"},
		{"an entry holds through its expiry day", "- rule: rfc6749-5.2\n  reason: VENDOR-1\n  expires: 2027-03-31\n", false, false,
			outputs.ExpectedFailed, "XFAIL rfc6749-5.2"},
		{"an expired entry gates again and says so", "- rule: rfc6749-5.2\n  reason: VENDOR-1\n  expires: 2027-03-30\n", false, true,
			outputs.ExpectedExpired, "FAIL x.yaml:1 @rfc6749-5.2: expected failure expired on 2027-03-30: VENDOR-1"},
		{"an entry for another profile changes nothing", "- rule: rfc6749-5.2\n  profile: q\n  reason: VENDOR-1\n", false, true,
			outputs.ExpectedNotRun, "NOTE x.yaml:1 @rfc6749-5.2: no scenario it names ran"},
		{"an expected failure that passed is reported", "- rule: rfc6749-5.2\n  reason: VENDOR-1\n- rule: rfc6749-4.4\n  reason: VENDOR-2\n", false, false,
			outputs.ExpectedPassed, "WARN x.yaml:3 @rfc6749-4.4: expected to fail but passed: remove the entry (VENDOR-2)"},
		{"an expected failure that passed gates under --strict", "- rule: rfc6749-5.2\n  reason: VENDOR-1\n- rule: rfc6749-4.4\n  reason: VENDOR-2\n", true, true,
			outputs.ExpectedPassed, "FAIL x.yaml:3 @rfc6749-4.4: expected to fail but passed"},
	} {
		t.Run(tc.description, func(t *testing.T) {
			known := map[string]bool{"rfc6749-5.2": true, "rfc6749-4.4": true}
			ef, err := ParseExpectedFailures("x.yaml", []byte(tc.yaml), known)
			if err != nil {
				t.Fatal(err)
			}
			res := expectedRun(tc.strict)
			ApplyExpected(&res, ef, now)
			if res.Failed() != tc.wantFailed {
				t.Errorf("Failed() = %v, want %v", res.Failed(), tc.wantFailed)
			}
			last := res.Expected[len(res.Expected)-1]
			if last.Outcome != tc.wantOutcome {
				t.Errorf("outcome = %q (%s), want %q", last.Outcome, last.Message, tc.wantOutcome)
			}
			var out bytes.Buffer
			if err := WriteText(&out, res, false); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), tc.wantText) {
				t.Errorf("terminal report lacks %q:\n%s", tc.wantText, out.String())
			}
			sum := SummaryOf(res, res.ExitCode(), outputs.RunInfo{})
			if sum.ExpectedFailuresFile != "x.yaml" || len(sum.ExpectedFailures) != len(res.Expected) {
				t.Errorf("summary.json expected failures = %q %+v", sum.ExpectedFailuresFile, sum.ExpectedFailures)
			}
		})
	}
}

// TestExpectedFailureJUnit: an expected failure is a passed test case saying
// so; the entry that passed under --strict is a failure of the expected
// failures suite.
func TestExpectedFailureJUnit(t *testing.T) {
	ef, err := ParseExpectedFailures("x.yaml", []byte("- rule: rfc6749-5.2\n  reason: VENDOR-1\n- rule: rfc6749-4.4\n  reason: VENDOR-2\n"),
		map[string]bool{"rfc6749-5.2": true, "rfc6749-4.4": true})
	if err != nil {
		t.Fatal(err)
	}
	res := expectedRun(true)
	ApplyExpected(&res, ef, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	dir := t.TempDir()
	if err := WriteReports(dir, res, res.ExitCode()); err != nil {
		t.Fatal(err)
	}
	validateJUnit(t, dir+"/junit.xml")
	j := readJUnit(t, dir+"/junit.xml")
	if j.Failures != 1 {
		t.Errorf("failures = %d, want 1 (the entry that passed, under --strict)", j.Failures)
	}
	for _, s := range j.Suites {
		for _, c := range s.Cases {
			if c.Name == "Wrong secret" && (c.Failure != nil || !strings.Contains(c.SystemOut, "expected failure: VENDOR-1")) {
				t.Errorf("expected failure case = %+v, want passed, saying why", c)
			}
			if c.Name == "@rfc6749-4.4" && c.Failure == nil {
				t.Errorf("entry that passed = %+v, want a failure under --strict", c)
			}
		}
	}
}

// TestDocumentedExpectedFailuresParse: the expected-failures examples in the
// README and docs/outputs.md name real tags and parse.
func TestDocumentedExpectedFailuresParse(t *testing.T) {
	known, err := KnownRules(features.FS)
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range []string{"../README.md", "../docs/outputs.md"} {
		data, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, block := range strings.Split(string(data), "```yaml\n")[1:] {
			block, _, _ = strings.Cut(block, "```")
			if !strings.HasPrefix(block, "- rule:") {
				continue
			}
			n++
			if _, err := ParseExpectedFailures(doc, []byte(block), known); err != nil {
				t.Errorf("%s: the documented example does not parse: %v", doc, err)
			}
		}
		if n == 0 {
			t.Errorf("%s has no expected-failures example", doc)
		}
	}
}
