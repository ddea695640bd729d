package reports

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oauthconf/oauthconf/internal/outputs"
)

// TestJudgedOutcomes: summary.json's judged statuses replace godog's, each
// reason is worded by outcome, and the root causes come first.
func TestJudgedOutcomes(t *testing.T) {
	run, problems := build(t, "testdata/outcomes")
	require.Empty(t, problems)
	byName := map[string]Scenario{}
	for _, p := range run.Profiles {
		for _, f := range p.Features {
			for _, s := range f.Scenarios {
				byName[p.Name+"/"+s.Name] = s
			}
		}
	}
	cases := []struct {
		description string
		scenario    string
		status      string
		why         string
	}{
		{"a failed control is not tested, with why (godog saw a skip)", "shopware/Authorization answers 302 with the code in Location",
			outputs.StatusNotTested, "not tested: could not obtain a code: the login page answered HTTP 500"},
		{"a skip is not applicable, with why", "ucommerce/The code expires after its documented lifetime",
			outputs.StatusSkipped, "not applicable: @slow scenario (waits in real time): skipped by --skip-slow"},
		{"a harness bug is an error, not a failure of the target", "ucommerce/expires_in is a number",
			outputs.StatusError, `harness error: step is undefined: the suite has no step "the expires_in is a number"`},
		{"a failure keeps its evidence in the steps", "ucommerce/A code can be redeemed only once", outputs.StatusFailed, ""},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			s, ok := byName[tc.scenario]
			require.True(t, ok, "scenario %s not found", tc.scenario)
			assert.Equal(t, tc.status, s.Status)
			assert.Equal(t, tc.why, s.Why())
		})
	}

	html, md, js := renderAll(t, run)
	t.Run("the matrix tally agrees with the headline", func(t *testing.T) {
		uc := run.Profiles[1]
		assert.Equal(t, "2 of 3 MUST checks pass for profile ucommerce (1 failed, 1 not applicable)", uc.Headline())
		assert.Contains(t, md, "| **MUST** | 1 of 1 pass (1 not tested) | 2 of 3 pass (1 failed, 1 not applicable) |")
		assert.Contains(t, html, "2 of 3 MUST checks pass<br>")
		assert.Contains(t, js, `"must_tally": "2 passed, 1 failed, 0 not tested, 1 not applicable"`)
		f, _ := uc.Feature("Token response shape")
		assert.Equal(t, Counts{Passed: 2, Errors: 1}, f.Counts(""), "the errored scenario is counted as an error in the matrix (beside a passed MUST and a passed MAY)")
	})
	t.Run("root causes come first, gating ones first, findings marked", func(t *testing.T) {
		causes := run.Causes()
		require.Len(t, causes, 3)
		assert.Equal(t, "a redeemed authorization code was accepted again (HTTP 200): 1 scenario", causes[0].Text())
		assert.Equal(t, "invalid_grant answered with HTTP 401: 2 scenarios", causes[1].Text())
		assert.True(t, causes[1].Finding)
		for name, out := range map[string]string{"HTML": html, "Markdown": md} {
			rc, head := strings.Index(out, "invalid"), strings.Index(out, "MUST checks pass for profile")
			assert.True(t, rc >= 0 && rc < head, "%s: the root causes are not above the headlines", name)
		}
		assert.Contains(t, md, "- ⚠️ finding · **SHOULD** `@rfc6749-5.2-status` invalid\\_grant answered with HTTP 401: 2 scenarios (profile ucommerce)")
		assert.Contains(t, html, `<span class="kind">finding · SHOULD</span>`)
	})
	t.Run("the header names the run", func(t *testing.T) {
		h := run.Header()
		assert.Equal(t, Header{Label: "nightly #412", Date: "2026-11-22 23:00:00 UTC", Version: "v1.4.0",
			Targets: []string{"http://127.0.0.1:8080"}, Profiles: []string{"shopware", "ucommerce"}, Duration: "6.5s"}, h)
		assert.Contains(t, html, `<dd id="run-label">nightly #412</dd>`)
		assert.Contains(t, html, `<dd id="run-version">oauthconf v1.4.0</dd>`)
		assert.Contains(t, md, "| date | 2026-11-22 23:00:00 UTC |")
		assert.Equal(t, "release 2.3", run.WithLabel("release 2.3").Header().Label, "report --label wins")
		assert.Equal(t, "nightly #412", run.Header().Label, "WithLabel copies")
	})
	t.Run("the capacity search is shown", func(t *testing.T) {
		assert.Contains(t, html, `<p id="capacity-result">400 req/s meets the SLO; 800 req/s missed it (4 probes).</p>`)
		assert.Contains(t, md, "| 1600/s | ❌ fail | 4800 | 93.00% | 180ms | p99 180ms &gt;= 50ms; success 93.00% &lt; 99% |")
	})
}

// TestVerdictMatchesExitCode: the report never says PASS (or NO VERDICT)
// for a run whose exit code failed it.
func TestVerdictMatchesExitCode(t *testing.T) {
	shouldFailed := `{"profiles":[{"name":"shopware","target":"http://127.0.0.1:1","must":{"passed":3,"failed":0,"skipped":0},"should":{"passed":0,"failed":2,"skipped":0}}],"exit_code":%s}`
	zeroValid, err := os.ReadFile("testdata/outcomes/load/zero_valid/report.json")
	require.NoError(t, err)
	cases := []struct {
		description string
		summary     string
		loadReport  []byte
		verdict     string
		reason      string
	}{
		{"--strict exit 1 on SHOULD failures: fail, saying why", strings.Replace(shouldFailed, "%s", "1", 1), nil,
			"fail", "profile shopware: 2 SHOULD scenario(s) failed (gating under --strict)"},
		{"the same counts with exit 0 (not --strict): pass", strings.Replace(shouldFailed, "%s", "0", 1), nil, "pass", ""},
		{"a MUST failure that did not gate (exit 0, an expected failure): pass as the exit code says",
			`{"profiles":[{"name":"shopware","must":{"passed":3,"failed":1,"skipped":0},"should":{"passed":0,"failed":0,"skipped":0}}],"exit_code":0}`, nil, "pass", ""},
		{"a load run with 0% valid tokens (exit 1) and no SLO: fail, not no verdict", "", zeroValid,
			"fail", "load zero_valid: none of 100 responses was a valid token response"},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			dir := t.TempDir()
			if tc.summary != "" {
				require.NoError(t, os.MkdirAll(filepath.Join(dir, "conformance"), 0o755))
				require.NoError(t, os.WriteFile(filepath.Join(dir, "conformance", "summary.json"), []byte(tc.summary), 0o644))
			}
			if tc.loadReport != nil {
				require.NoError(t, os.MkdirAll(filepath.Join(dir, "load", "zero_valid"), 0o755))
				require.NoError(t, os.WriteFile(filepath.Join(dir, "load", "zero_valid", "report.json"), tc.loadReport, 0o644))
			}
			run, problems := build(t, dir)
			require.Empty(t, problems)
			assert.Equal(t, tc.verdict, run.Verdict())
			html, md, _ := renderAll(t, run)
			if tc.verdict == "fail" {
				assert.Contains(t, run.VerdictReasons(), tc.reason)
				assert.Contains(t, html, ">FAIL</span>")
				assert.NotContains(t, html, ">PASS</span>")
				assert.Contains(t, md, "**Verdict: FAIL**")
			} else {
				assert.Empty(t, run.VerdictReasons())
			}
		})
	}
}
