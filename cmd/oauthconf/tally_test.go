package main

import (
	"encoding/json"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/oauthconf/oauthconf/reference"
)

// terminalTally matches a profile's tally line of verify's terminal report.
var terminalTally = regexp.MustCompile(`(?m)^  \[(\w+)\] \S+  MUST: ([^;]+);  SHOULD: ([^;(]+?)(?:;  \d+ findings)?  \(`)

// TestOneTallyAndVerdictEverywhere: for one verify run, the terminal,
// report.html, summary.md and report --json give the same tally, and every
// report's verdict is the exit code's, with --strict and expected failures.
func TestOneTallyAndVerdictEverywhere(t *testing.T) {
	defective := referenceTarget(t, nil, reference.PasswordAny)
	clean := referenceTarget(t, nil)
	getAllowed := referenceTarget(t, nil, reference.TokenGETAllowed)
	expected := writeFile(t, "xf.yaml", "- rule: rfc6749-4.3.2-wrong-password\n  reason: SHOP-42\n")
	should := func(more ...string) []string {
		return append([]string{"verify", "--target", getAllowed, "--profile", "rfc6749", "--test-clock", "--demo-credentials", "--tags", "@rfc6749-3.2-post"}, more...)
	}
	for _, tc := range []struct {
		description string
		args        []string
		wantCode    int
		verdict     string
		// mustTally is the MUST tally every output gives.
		mustTally string
	}{
		{"a MUST failure: exit 1, FAIL", passwordArgs(defective), 1, "FAIL", "0 passed, 1 failed, 0 not tested, 0 not applicable"},
		{"the same failure expected: exit 0, PASS, failed as expected", passwordArgs(defective, "--expected-failures", expected), 0, "PASS",
			"0 passed, 0 failed, 1 failed as expected, 0 not tested, 0 not applicable"},
		{"an expected failure that passed under --strict: exit 1, FAIL", passwordArgs(clean, "--expected-failures", expected, "--strict"), 1, "FAIL", "1 passed, 0 failed, 0 not tested, 0 not applicable"},
		{"a SHOULD failure: exit 0, PASS", should(), 0, "PASS", ""},
		{"a SHOULD failure under --strict: exit 1, FAIL", should("--strict"), 1, "FAIL", ""},
	} {
		t.Run(tc.description, func(t *testing.T) {
			dir := t.TempDir()
			code, out, errOut := runCLI(t.Context(), append(tc.args, "--report-dir", dir)...)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tc.wantCode, out, errOut)
			}
			m := terminalTally.FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("no tally line in the terminal report:\n%s", out)
			}
			if m[2] != tc.mustTally && tc.mustTally != "" {
				t.Errorf("terminal MUST tally %q, want %q", m[2], tc.mustTally)
			}
			// One profile has a verdict line too, the total's.
			if want := "\n  total: " + tc.verdict + "  MUST: " + m[2] + ";  SHOULD: " + m[3]; !strings.Contains(out, want) {
				t.Errorf("the terminal has no verdict line %q:\n%s", want, out)
			}
			md := readText(t, filepath.Join(dir, "summary.md"))
			page := html.UnescapeString(readText(t, filepath.Join(dir, "report.html")))
			rc, js, jsErr := runCLI(t.Context(), "report", "--in", dir, "--out", filepath.Join(t.TempDir(), "r.html"), "--json", "-")
			if rc != 0 {
				t.Fatalf("report --json: exit %d: %s", rc, jsErr)
			}
			var sum struct {
				Verdict  string `json:"verdict"`
				Profiles []struct {
					Name        string `json:"name"`
					MustTally   string `json:"must_tally"`
					ShouldTally string `json:"should_tally"`
				} `json:"profiles"`
			}
			if err := json.Unmarshal([]byte(js), &sum); err != nil || len(sum.Profiles) != 1 {
				t.Fatalf("report --json: %v\n%s", err, js)
			}
			if p := sum.Profiles[0]; p.Name != m[1] || p.MustTally != m[2] || p.ShouldTally != m[3] {
				t.Errorf("report --json tallies %q / %q, terminal %q / %q", p.MustTally, p.ShouldTally, m[2], m[3])
			}
			// A passing run's MUST cell is not red (an expected failure does not gate).
			if red := `<td class="cell fail" title="` + m[2] + `">`; tc.wantCode == 0 && strings.Contains(page, red) {
				t.Errorf("report.html paints the MUST tally of a passing run red: %s", red)
			}
			for name, doc := range map[string]string{"summary.md": md, "report.html": page} {
				if !strings.Contains(doc, m[2]) || !strings.Contains(doc, m[3]) {
					t.Errorf("%s lacks the terminal's tallies %q and %q", name, m[2], m[3])
				}
			}
			if sum.Verdict != strings.ToLower(tc.verdict) || !strings.Contains(md, "**Verdict: "+tc.verdict+"**") ||
				!strings.Contains(page, `id="verdict">`+tc.verdict+`</span>`) {
				t.Errorf("verdicts: JSON %q, summary.md %v, report.html %v; want %s for exit %d", sum.Verdict,
					strings.Contains(md, "**Verdict: "+tc.verdict+"**"), strings.Contains(page, `id="verdict">`+tc.verdict+`</span>`), tc.verdict, code)
			}
		})
	}
}

func readText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestLoadVerdictMatchesExitCode: the report of a load run says FAIL
// exactly when load exits 1 (a missed --slo, not one valid token).
func TestLoadVerdictMatchesExitCode(t *testing.T) {
	refusing := referenceTarget(t, nil)
	base := []string{"load", "--target", refusing, "--profile", "shopware", "--scenario", "client_credentials", "--rate", "20", "--duration", "300ms", "--quiet"}
	wrong := []string{"--credential", "client_id=nobody", "--credential", "client_secret=wrong"}
	for _, tc := range []struct {
		description string
		args        []string
		wantCode    int
		verdict     string
	}{
		{"a run that meets its SLO: exit 0, PASS", append(append([]string{}, base...), append(shopwareCreds(), "--slo", "success>=50%")...), 0, "PASS"},
		{"a missed SLO: exit 1, FAIL", append(append([]string{}, base...), append(shopwareCreds(), "--slo", "p99<1ns")...), 1, "FAIL"},
		{"not one valid token and no SLO: exit 1, FAIL", append(append([]string{}, base...), wrong...), 1, "FAIL"},
	} {
		t.Run(tc.description, func(t *testing.T) {
			dir := t.TempDir()
			code, out, errOut := runCLI(t.Context(), append(tc.args, "--out", dir)...)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tc.wantCode, out, errOut)
			}
			md, page := readText(t, filepath.Join(dir, "summary.md")), readText(t, filepath.Join(dir, "report.html"))
			if !strings.Contains(md, "**Verdict: "+tc.verdict+"**") || !strings.Contains(page, `id="verdict">`+tc.verdict+`</span>`) {
				t.Errorf("the reports do not say %s for exit %d:\n%s", tc.verdict, code, md)
			}
		})
	}
}
