package steps

import (
	"context"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oauthconf/oauthconf/reference"
)

// parsedJUnit is what a CI server reads of junit.xml.
type parsedJUnit struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Skipped  *int     `xml:"skipped,attr"`
	Suites   []struct {
		Name      string `xml:"name,attr"`
		Failures  int    `xml:"failures,attr"`
		Timestamp string `xml:"timestamp,attr"`
		Hostname  string `xml:"hostname,attr"`
		Props     []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"properties>property"`
		Cases []struct {
			Name      string    `xml:"name,attr"`
			Status    string    `xml:"status,attr"`
			File      string    `xml:"file,attr"`
			Line      string    `xml:"line,attr"`
			Failure   *struct{} `xml:"failure"`
			SystemOut string    `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func readJUnit(t *testing.T, path string) parsedJUnit {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var j parsedJUnit
	if err := xml.Unmarshal(b, &j); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return j
}

// validateJUnit checks path against the Jenkins xunit plugin's junit-10.xsd
// with xmllint (scripts/ensure-xmllint.sh installs it for make test); without
// xmllint it checks what the schema rejects in what we write: attributes
// <testsuites> does not have.
func validateJUnit(t *testing.T, path string) {
	t.Helper()
	xsd, err := filepath.Abs(filepath.Join("testdata", "junit-10.xsd"))
	if err != nil {
		t.Fatal(err)
	}
	if lint, err := exec.LookPath("xmllint"); err == nil {
		out, err := exec.Command(lint, "--noout", "--schema", xsd, path).CombinedOutput()
		if err != nil {
			t.Fatalf("%s is not valid against junit-10.xsd: %v\n%s", path, err, out)
		}
		return
	}
	t.Logf("xmllint not installed (scripts/ensure-xmllint.sh): structural check only")
	if j := readJUnit(t, path); j.Skipped != nil {
		t.Fatalf("%s: <testsuites> has a skipped attribute, which junit-10.xsd rejects", path)
	}
}

// TestJUnitSchema runs a SHOULD-only defect (the token endpoint answers GET)
// and checks junit.xml the way a CI server reads it: valid against
// junit-10.xsd; without --strict the failed SHOULD scenario is a passed test
// case carrying the warning, so that junit.xml has no failure while verify
// exits 0; with --strict it is a failure; every case has its feature file and
// line and its properties.
func TestJUnitSchema(t *testing.T) {
	ts := startReference(t, reference.TokenGETAllowed)
	start := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		description string
		strict      bool
		wantFailure bool
	}{
		{"without --strict a failed SHOULD scenario is a passed case with the warning", false, false},
		{"with --strict a failed SHOULD scenario is a failure", true, true},
	} {
		t.Run(tc.description, func(t *testing.T) {
			o := demoOptions(t, "rfc6749", ts.URL)
			o.Tags, o.Strict, o.Now = "@rfc6749-3.2-post", tc.strict, func() time.Time { return start }
			res, err := Run(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			if res.Failed() != tc.wantFailure {
				t.Fatalf("Failed() = %v, want %v", res.Failed(), tc.wantFailure)
			}
			dir := t.TempDir()
			if err := WriteReports(dir, res, res.ExitCode()); err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{"junit.xml", "conformance/rfc6749/junit.xml"} {
				validateJUnit(t, filepath.Join(dir, f))
			}
			checkShouldCase(t, readJUnit(t, filepath.Join(dir, "junit.xml")), tc.wantFailure)
		})
	}
}

// checkShouldCase checks the failed GET scenario's test case and the suite's
// header.
func checkShouldCase(t *testing.T, j parsedJUnit, wantFailure bool) {
	t.Helper()
	if got := j.Failures > 0; got != wantFailure {
		t.Errorf("junit.xml failures = %d, want a failure: %v (the exit code agrees)", j.Failures, wantFailure)
	}
	found := false
	for _, s := range j.Suites {
		if s.Timestamp != "2026-12-01T09:30:00" || s.Hostname == "" {
			t.Errorf("suite %q: timestamp %q hostname %q, want the run's start (Options.Now) and the host", s.Name, s.Timestamp, s.Hostname)
		}
		props := map[string]string{}
		for _, p := range s.Props {
			props[p.Name] = p.Value
		}
		if props["profile"] != "rfc6749" || !strings.HasPrefix(props["target"], "http://127.0.0.1:") {
			t.Errorf("suite %q properties = %v, want profile and target", s.Name, props)
		}
		for _, c := range s.Cases {
			if !strings.Contains(c.SystemOut, "rule: rfc6749-3.2-post") {
				continue
			}
			found = true
			if c.File != "features/errors.feature" || c.Line == "" || c.Line == "0" {
				t.Errorf("case %q: file %q line %q, want features/errors.feature and its line", c.Name, c.File, c.Line)
			}
			for _, want := range []string{"level: should", "profile: rfc6749", "tags: @rfc6749-3.2-post @should", "file: features/errors.feature:" + c.Line} {
				if !strings.Contains(c.SystemOut, want) {
					t.Errorf("case %q system-out lacks %q:\n%s", c.Name, want, c.SystemOut)
				}
			}
			if (c.Failure != nil) != wantFailure {
				t.Errorf("case %q: <failure> present %v, want %v", c.Name, c.Failure != nil, wantFailure)
			}
			if !wantFailure && (c.Status != "passed" || !strings.HasPrefix(c.SystemOut, "WARNING (not gating: a SHOULD requirement")) {
				t.Errorf("case %q: status %q, system-out %q, want passed with the warning first", c.Name, c.Status, c.SystemOut)
			}
		}
	}
	if !found {
		t.Fatal("no test case for the GET scenario (@rfc6749-3.2-post)")
	}
}

// TestAbortJUnitSchema: the record of a run that stopped before any scenario
// is valid too.
func TestAbortJUnitSchema(t *testing.T) {
	dir := t.TempDir()
	a := Abort{ExitCode: 2, Kind: AbortTarget, Message: "target: connection refused", At: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	if err := WriteAbortReports(dir, a); err != nil {
		t.Fatal(err)
	}
	validateJUnit(t, filepath.Join(dir, "junit.xml"))
	j := readJUnit(t, filepath.Join(dir, "junit.xml"))
	if j.Errors != 1 || len(j.Suites) != 1 || j.Suites[0].Timestamp != "2026-12-01T09:00:00" {
		t.Errorf("abort junit.xml = %+v, want one error with the timestamp", j)
	}
}

// TestJUnitAgreesWithTheExitCode: junit.xml has a <failure> exactly when
// verify exits 1, with expected failures: one an entry expects is a passed
// case carrying the reason; an expected failure that passed is reported as a
// passed case, and is a failure under --strict; an expired entry's failure
// gates again. Each file is valid against junit-10.xsd.
func TestJUnitAgreesWithTheExitCode(t *testing.T) {
	known := map[string]bool{"rfc6749-5.2": true, "rfc6749-4.4": true}
	now := time.Date(2027, 3, 31, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		description string
		yaml        string
		strict      bool
		wantExit    int
		// wantCase names the case to check, whether it is a <failure>, and what its system-out says.
		wantCase, wantOut string
		wantFailure       bool
	}{
		{"an expected failure is a passed case with its reason", "- rule: rfc6749-5.2\n  reason: VENDOR-1\n", false, 0,
			"Wrong secret", "WARNING (not gating: expected failure: VENDOR-1)", false},
		{"an expected failure that passed is a passed case without --strict", "- rule: rfc6749-5.2\n  reason: VENDOR-1\n- rule: rfc6749-4.4\n  reason: VENDOR-2\n", false, 0,
			"@rfc6749-4.4", "expected to fail but passed", false},
		{"an expected failure that passed is a failure under --strict", "- rule: rfc6749-5.2\n  reason: VENDOR-1\n- rule: rfc6749-4.4\n  reason: VENDOR-2\n", true, 1,
			"@rfc6749-4.4", "", true},
		{"an expired entry's failure is a failure again", "- rule: rfc6749-5.2\n  reason: VENDOR-1\n  expires: 2027-03-30\n", false, 1,
			"Wrong secret", "", true},
		{"without an entry the MUST failure is a failure", "", false, 1, "Wrong secret", "", true},
	} {
		t.Run(tc.description, func(t *testing.T) {
			res := expectedRun(tc.strict)
			if tc.yaml != "" {
				ef, err := ParseExpectedFailures("x.yaml", []byte(tc.yaml), known)
				if err != nil {
					t.Fatal(err)
				}
				ApplyExpected(&res, ef, now)
			}
			if res.ExitCode() != tc.wantExit {
				t.Fatalf("exit code %d, want %d", res.ExitCode(), tc.wantExit)
			}
			dir := t.TempDir()
			if err := WriteReports(dir, res, res.ExitCode()); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "junit.xml")
			validateJUnit(t, path)
			j := readJUnit(t, path)
			if got := j.Failures+j.Errors > 0; got != (tc.wantExit == 1) {
				t.Errorf("junit.xml failures %d errors %d with exit code %d: they disagree", j.Failures, j.Errors, tc.wantExit)
			}
			found := false
			for _, s := range j.Suites {
				for _, c := range s.Cases {
					if c.Name != tc.wantCase {
						continue
					}
					found = true
					if (c.Failure != nil) != tc.wantFailure || !strings.Contains(c.SystemOut, tc.wantOut) {
						t.Errorf("case %q: failure %v (want %v), system-out:\n%s\nwant it to contain %q", c.Name, c.Failure != nil, tc.wantFailure, c.SystemOut, tc.wantOut)
					}
				}
			}
			if !found {
				t.Errorf("junit.xml has no case %q", tc.wantCase)
			}
		})
	}
}
