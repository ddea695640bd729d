package reports

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExpectedFailuresInEveryReport: every --expected-failures entry is shown
// in summary.md, report.html and report --json with its rule tag, scenario,
// reason (ticket) and expiry, and what became of it: failed as expected,
// unexpectedly passing, expired (gating again), not run; a failure an entry
// expects carries its reason and does not count against the verdict.
func TestExpectedFailuresInEveryReport(t *testing.T) {
	run, problems := build(t, "testdata/expected")
	require.Empty(t, problems)
	html, md, js := renderAll(t, run)
	cases := []struct {
		description string
		out         string
		want        []string
	}{
		{"summary.md lists every entry with its status, tag, scenario, reason and expiry", md, []string{
			"### Expected failures (`expected-failures.yaml`)",
			"| ☑️ failed as expected | `@rfc6749-4.3.2-wrong-password` | shopware | shopware: Resource owner password credentials grant / A wrong password is refused | SHOP-42, fixed in 6.7 | 2027-03-31 | 1 |",
			"| ❌ expired on 2020-01-01: gates again | `@rfc6749-4.3.2-unknown-user` | any |",
			"| ❌ unexpectedly passing: gates under --strict; remove the entry | `@rfc6749-4.3.2` | any | Valid credentials get a token | AUTH-9 flaky | never | 9 |",
			"| ⚠️ not run: no scenario it names ran | `@rfc6749-4.1.2` | any | any scenario tagged @rfc6749-4.1.2 | UC-1 | never | 12 |",
		}},
		{"summary.md marks the root causes and failed scenarios an entry expects", md, []string{
			"- ☑️ expected failure · **MUST** `rfc6749-4.3.2-wrong-password` a wrong password got a token (HTTP 200): 1 scenario (profile shopware): _expected failure: SHOP-42, fixed in 6.7 (until 2027-03-31)_",
			"- ❌ failure · **MUST** `rfc6749-4.3.2-unknown-user` an unknown user got a token (HTTP 200): 1 scenario (profile shopware): _expected failure expired on 2020-01-01: SHOP-7 legacy users (gates again)_",
			"A wrong password is refused (MUST, `@rfc6749-4.3.2-wrong-password`): a wrong password got a token (HTTP 200) — _expected failure: SHOP-42, fixed in 6.7 (until 2027-03-31)_",
		}},
		{"report.html has the entries' table and the notes beside the failures", html, []string{
			`<table id="expected-failures">`,
			`<span class="badge pass">failed_as_expected</span> failed as expected</td><td><span class="tag">@rfc6749-4.3.2-wrong-password</span></td><td>shopware</td>`,
			`<td>SHOP-42, fixed in 6.7</td><td>2027-03-31</td><td class="num">1</td>`,
			`<span class="badge fail">expired</span> expired on 2020-01-01: gates again`,
			`<span class="badge fail">passed</span> unexpectedly passing: gates under --strict; remove the entry`,
			`<span class="badge skip">not_run</span> not run`,
			`<span class="kind">expected failure · MUST</span>`,
			`<span class="xnote">expected failure: SHOP-42, fixed in 6.7 (until 2027-03-31)</span>`,
			`<span class="xnote">expected failure expired on 2020-01-01: SHOP-7 legacy users (gates again)</span>`,
		}},
		{"report --json has the entries with their status", js, []string{
			`"expected_failures_file": "expected-failures.yaml"`,
			`"status": "unexpectedly passing: gates under --strict; remove the entry"`,
			`"expected": "expected failure: SHOP-42, fixed in 6.7 (until 2027-03-31)"`,
			`"must_expected": 1`,
		}},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			for _, w := range tc.want {
				assert.Contains(t, tc.out, w)
			}
		})
	}
	t.Run("the verdict counts only the gating failures and names the gating entries", func(t *testing.T) {
		assert.Equal(t, "fail", run.Verdict())
		assert.Equal(t, []string{"profile shopware: 1 MUST scenario(s) failed",
			"expected failure @rfc6749-4.3.2-unknown-user (expected-failures.yaml:5): expired on 2020-01-01: gates again",
			"expected failure @rfc6749-4.3.2 (expected-failures.yaml:9): unexpectedly passing: gates under --strict; remove the entry"}, run.VerdictReasons())
		var s Summary
		require.NoError(t, json.Unmarshal([]byte(js), &s))
		require.Len(t, s.ExpectedFailures, 4)
		assert.Equal(t, "failed as expected", s.ExpectedFailures[0].Status)
	})
	t.Run("with only expected failures (exit 0) the verdict is pass and the headline is not marked failed", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.CopyFS(dir, os.DirFS("testdata/expected")))
		path := filepath.Join(dir, "conformance", "summary.json")
		var sum map[string]any
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(data, &sum))
		sum["exit_code"] = 0
		sum["expected_failures"] = sum["expected_failures"].([]any)[:1]
		p := sum["profiles"].([]any)[0].(map[string]any)
		p["must"] = map[string]any{"passed": 1, "failed": 1, "skipped": 0}
		p["root_causes"] = p["root_causes"].([]any)[:1]
		sc := p["scenarios"].([]any)
		p["scenarios"] = []any{sc[0], sc[2]}
		data, err = json.Marshal(sum)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(path, data, 0o644))
		run, problems := build(t, dir)
		require.Empty(t, problems)
		assert.Equal(t, "pass", run.Verdict())
		_, md, _ := renderAll(t, run)
		assert.Contains(t, md, "**Verdict: PASS**")
		assert.Contains(t, md, "- ✅ 1 of 2 MUST checks pass for profile shopware")
		assert.True(t, strings.Contains(md, "☑️ failed as expected"), md)
	})
}
