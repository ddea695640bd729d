package reports

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oauthconf/oauthconf/internal/outputs"
)

// Secrets planted, un-redacted, in the fixtures: none may reach any output.
var plantedSecrets = []string{
	"dWNvbW1lcmNlOnMzY3JldC1jbGllbnQ=", // Basic credentials
	"s3cret-client",                    // client_secret form field
	"SplxlOBeZQQYbYS6WxSbIA",           // authorization code
	"c2VjcmV0LXRva2VuLXZhbHVl",         // access token (JSON body and error text)
	"abc123secretcookie",               // Set-Cookie
}

func build(t *testing.T, dir string) (*Run, []error) {
	t.Helper()
	run, problems := Build(context.Background(), dir)
	require.NotNil(t, run, "Build(%s) returned no run: %v", dir, problems)
	return run, problems
}

func renderAll(t *testing.T, run *Run) (html, md, js string) {
	t.Helper()
	var h, m, j bytes.Buffer
	require.NoError(t, run.WriteHTML(&h))
	require.NoError(t, run.WriteMarkdown(&m))
	require.NoError(t, run.WriteJSON(&j))
	return h.String(), m.String(), j.String()
}

func TestGoldenSummaries(t *testing.T) {
	cases := []struct {
		description string
		dir         string
		golden      string
	}{
		{"a verify and load run", "testdata/run", "run"},
		{"bad and truncated input files", "testdata/bad", "bad"},
		{"a directory without outputs", "testdata/empty", "empty"},
		{"a verify that stopped before any scenario, over an earlier run's files", "testdata/aborted", "aborted"},
		{"judged outcomes, root causes, a label and a capacity search", "testdata/outcomes", "outcomes"},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			run, _ := build(t, tc.dir)
			_, md, js := renderAll(t, run)
			golden(t, tc.golden+".md", []byte(md))
			golden(t, tc.golden+".json", []byte(js))
		})
	}
}

// TestVerifyEnd: how verify ended (conformance/summary.json) decides the verdict
// next to the scenarios' results.
func TestVerifyEnd(t *testing.T) {
	cases := []struct {
		description string
		summary     string // conformance/summary.json
		cucumber    bool   // testdata/run's ucommerce cucumber.json (a failed MUST) is there
		verdict     string
		md, html    []string // in summary.md and report.html
	}{
		{"a run that stopped with exit 2: error, with the message and its kind",
			`{"profiles":[],"exit_code":2,"error":"verify: unknown profile \"nosuchvendor\"","error_kind":"profile"}`, false,
			"error", []string{"Verdict: ERROR", "verify exited 2 (problem: profile)", "unknown profile"},
			[]string{"VERIFY DID NOT RUN", `id="verify-error"`, "unknown profile &#34;nosuchvendor&#34;"}},
		{"a run that stopped with exit 2 over an earlier failing run's files: still error, the old profile left out",
			`{"profiles":[],"exit_code":2,"error":"verify: target check failed","error_kind":"target"}`, true,
			"error", []string{"Verdict: ERROR", "conformance/ucommerce/ is from an earlier run"},
			[]string{"VERIFY DID NOT RUN", "target check failed"}},
		{"an interrupted run with nothing failed: incomplete, not pass",
			`{"profiles":[{"name":"shopware","target":"http://127.0.0.1:1","must":{"passed":3,"failed":0,"skipped":0},"should":{"passed":0,"failed":0,"skipped":0}}],"exit_code":1,"interrupted":true}`, false,
			"incomplete", []string{"Verdict: INCOMPLETE", "verify was interrupted"},
			[]string{"INCOMPLETE", `id="verify-interrupted"`}},
		{"an interrupted run with a failed MUST: fail",
			`{"profiles":[{"name":"ucommerce","target":"http://127.0.0.1:1","must":{"passed":1,"failed":1,"skipped":0},"should":{"passed":0,"failed":0,"skipped":0}}],"exit_code":1,"interrupted":true}`, true,
			"fail", []string{"Verdict: FAIL", "verify was interrupted"}, []string{`id="verify-interrupted"`, `id="matrix"`}},
		{"a finished passing run: pass, no notice",
			`{"profiles":[{"name":"shopware","target":"http://127.0.0.1:1","must":{"passed":3,"failed":0,"skipped":0},"should":{"passed":0,"failed":0,"skipped":0}}],"exit_code":0}`, false,
			"pass", []string{"Verdict: PASS"}, []string{">PASS<"}},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.MkdirAll(filepath.Join(dir, "conformance", "ucommerce"), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "conformance", "summary.json"), []byte(tc.summary), 0o644))
			if tc.cucumber {
				b, err := os.ReadFile("testdata/run/conformance/ucommerce/cucumber.json")
				require.NoError(t, err)
				require.NoError(t, os.WriteFile(filepath.Join(dir, "conformance", "ucommerce", "cucumber.json"), b, 0o644))
			}
			run, problems := build(t, dir)
			require.Empty(t, problems)
			assert.Equal(t, tc.verdict, run.Verdict())
			html, md, js := renderAll(t, run)
			for _, w := range tc.md {
				assert.Contains(t, md, w)
			}
			for _, w := range tc.html {
				assert.Contains(t, html, w)
			}
			var s Summary
			require.NoError(t, json.Unmarshal([]byte(js), &s))
			assert.Equal(t, tc.verdict, s.Verdict)
			require.NotNil(t, s.Verify)
			if tc.verdict == "error" {
				assert.Equal(t, 2, s.Verify.ExitCode)
				assert.NotEmpty(t, s.Verify.Error)
				assert.Empty(t, s.Profiles, "an aborted run has no profile results")
			}
			if tc.verdict != "incomplete" && tc.verdict != "fail" {
				assert.NotContains(t, html, "verify-interrupted")
			}
		})
	}
}

func TestConformanceFromCucumber(t *testing.T) {
	run, problems := build(t, "testdata/run")
	require.Empty(t, problems)
	require.Len(t, run.Profiles, 2)
	uc := run.Profiles[1]
	require.Equal(t, "ucommerce", uc.Name)
	assert.Equal(t, "http://127.0.0.1:8080", uc.Target)

	t.Run("the headline uses summary.json's effective levels", func(t *testing.T) {
		assert.Equal(t, "1 of 2 MUST checks pass for profile ucommerce (1 failed, 1 not applicable)", uc.Headline())
		assert.Equal(t, Counts{Passed: 1, Failed: 2}, uc.Counts(outputs.LevelShould))
	})
	t.Run("the matrix counts come from the scenarios", func(t *testing.T) {
		f, ok := uc.Feature("Authorization code grant")
		require.True(t, ok)
		assert.Equal(t, Counts{Passed: 1, Failed: 2, Skipped: 1}, f.Counts(""))
		assert.Equal(t, Counts{Passed: 3, Failed: 3, Skipped: 1}.Total(), uc.Counts("").Total()+1) // 6 scenarios
	})

	scenarios := map[string]Scenario{}
	for _, f := range uc.Features {
		for _, s := range f.Scenarios {
			scenarios[s.Name] = s
		}
	}
	cases := []struct {
		description  string
		scenario     string
		status       string
		level        string
		requirements []string
		skipReason   string
	}{
		{"a passed MUST scenario with two requirement tags", "Authorization answers 302 with the code in Location", outputs.StatusPassed, outputs.LevelMust, []string{"@rfc6749-4.1.2", "@ucommerce-connect"}, ""},
		{"a failed step fails the scenario", "A code can be redeemed only once", outputs.StatusFailed, outputs.LevelMust, []string{"@rfc6749-4.1.2"}, ""},
		{"a skipped scenario keeps its reason", "The code expires after its documented lifetime", outputs.StatusSkipped, outputs.LevelMust, []string{"@rfc6749-4.1.2", "@ucommerce-code-expiry"}, "@slow scenario (waits in real time): skipped by --skip-slow"},
		{"a SHOULD scenario", "Replaying a code revokes the tokens it issued", outputs.StatusFailed, outputs.LevelShould, []string{"@rfc6749-4.1.2-replay-revokes"}, ""},
		{"an undefined step fails the scenario (strict)", "expires_in is a number", outputs.StatusFailed, outputs.LevelShould, []string{"@rfc6749-5.1", "@vendor-expires-in"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			s, ok := scenarios[tc.scenario]
			require.True(t, ok, "scenario %q not found", tc.scenario)
			assert.Equal(t, tc.status, s.Status)
			assert.Equal(t, tc.level, s.Level)
			assert.Equal(t, tc.requirements, s.Requirements)
			assert.Equal(t, tc.skipReason, s.SkipReason)
		})
	}

	t.Run("the failed step carries its redacted HTTP exchange", func(t *testing.T) {
		s := scenarios["A code can be redeemed only once"]
		last := s.Steps[len(s.Steps)-1]
		require.Len(t, last.Exchanges, 1)
		ex := last.Exchanges[0].Text
		assert.Contains(t, ex, "> Authorization: Basic [REDACTED]")
		assert.Contains(t, ex, "POST /connect/token HTTP/1.1")
		assert.Contains(t, ex, `"token_type":"Bearer"`)
		assert.Equal(t, 7756969*time.Nanosecond+235158*time.Nanosecond, scenarios["Authorization answers 302 with the code in Location"].Duration)
	})
}

func TestLoadFromResults(t *testing.T) {
	run, _ := build(t, "testdata/run")
	require.Len(t, run.Load, 2)
	ac, cc := run.Load[0], run.Load[1]
	require.Equal(t, "authorization_code", ac.Name)
	require.Equal(t, "client_credentials", cc.Name)

	t.Run("steps come from Result.Attack <scenario>/<step>", func(t *testing.T) {
		var names []string
		for _, s := range ac.Steps {
			names = append(names, s.Name)
		}
		assert.Equal(t, []string{"connect", "exchange"}, names)
		assert.Equal(t, 400, ac.Requests)
	})
	t.Run("errors count transport, validation and 5xx failures", func(t *testing.T) {
		tok := cc.Steps[0]
		assert.Equal(t, "token", tok.Name)
		assert.Equal(t, 300, tok.Requests)
		assert.Equal(t, 8+3, tok.Errors) // 8 × 500 (i%37==36), 3 × invalid token (i%100==50)
		assert.Equal(t, 8, tok.StatusCodes["500"])
		require.NotEmpty(t, tok.TopErrors)
		assert.Equal(t, ErrorCount{Message: "500 Internal Server Error", Count: 8}, tok.TopErrors[0])
	})
	t.Run("HDR percentiles of the successful requests", func(t *testing.T) {
		tok := cc.Steps[0]
		// Latencies cycle 2.0ms … 6.9ms in 0.1ms steps.
		assert.InDelta(t, 4.4, ms(tok.P50), 0.11)
		assert.InDelta(t, 6.9, ms(tok.P99), 0.11)
		assert.InDelta(t, 6.9, ms(tok.Max), 0.01)
		require.NotEmpty(t, tok.Distribution)
		assert.Equal(t, 0.0, tok.Distribution[0].Quantile)
		assert.Equal(t, 1.0, tok.Distribution[len(tok.Distribution)-1].Quantile)
	})
	t.Run("the series shows the slow third second", func(t *testing.T) {
		ex := ac.Steps[1]
		require.NotEmpty(t, ex.Series)
		var fast, slow time.Duration
		for _, b := range ex.Series {
			switch {
			case b.Offset+b.Width <= 2*time.Second:
				fast = max(fast, b.P99)
			case b.Offset >= 2*time.Second && b.Offset+b.Width <= 3*time.Second:
				slow = max(slow, b.P99)
			}
		}
		assert.Less(t, fast, 5*time.Millisecond)
		assert.Greater(t, slow, 25*time.Millisecond)
		total := 0
		for _, b := range ex.Series {
			total += b.Requests
		}
		assert.Equal(t, 200, total, "every result lands in a bucket")
	})
	t.Run("throughput is successful responses per second", func(t *testing.T) {
		// 289 successes between the first request (t=0) and the last response (2.99s + 6.9ms).
		assert.InDelta(t, 289/2.9969, cc.Steps[0].Throughput, 0.01)
	})
	t.Run("a plot.html of the run is linked from the page", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.CopyFS(dir, os.DirFS("testdata/run")))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "load", "client_credentials", "plot.html"), []byte("<html></html>"), 0o644))
		run, _ := build(t, dir)
		assert.Equal(t, "", run.Load[0].Plot, "authorization_code has no plot.html")
		assert.Equal(t, "load/client_credentials/plot.html", run.Load[1].Plot)
		html, _, _ := renderAll(t, run)
		assert.Contains(t, html, `<a class="plot-link" href="load/client_credentials/plot.html">`)
	})
	t.Run("the SLO verdict comes from report.json", func(t *testing.T) {
		require.NotNil(t, ac.Report)
		require.NotNil(t, ac.Report.SLO)
		assert.False(t, ac.Report.SLO.Pass)
		assert.Equal(t, []string{"p99 42ms >= 20ms"}, ac.Report.SLO.Violations)
	})
	t.Run("latency.hgrm in milliseconds is recognised by report.json's max", func(t *testing.T) {
		d := cc.Distribution
		require.NotEmpty(t, d)
		assert.Equal(t, 8751*time.Microsecond, d[len(d)-1].Value)
	})
}

func TestBadInputs(t *testing.T) {
	run, problems := build(t, "testdata/bad")
	msgs := make([]string, len(problems))
	for i, p := range problems {
		msgs[i] = p.Error()
		var fe *FileError
		assert.True(t, errors.As(p, &fe), "problem %q names no file", p)
	}
	all := strings.Join(msgs, "\n")

	cases := []struct {
		description string
		file        string
		reason      string
	}{
		{"a truncated cucumber JSON", filepath.Join("testdata/bad/conformance/broken/cucumber.json"), "after 1 complete feature(s)"},
		{"a truncated summary.json", filepath.Join("testdata/bad/conformance/summary.json"), "malformed JSON"},
		{"a truncated results.bin", filepath.Join("testdata/bad/load/truncated/results.bin"), "the 100 results before it are reported"},
		{"an HTML error page instead of report.json", filepath.Join("testdata/bad/load/garbage/report.json"), "malformed JSON"},
		{"a latency.hgrm that is not one", filepath.Join("testdata/bad/load/garbage/latency.hgrm"), "no percentile rows"},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			found := false
			for _, m := range msgs {
				if strings.Contains(m, "could not read "+tc.file+": ") && strings.Contains(m, tc.reason) {
					found = true
				}
			}
			assert.True(t, found, "no problem naming %s with %q in:\n%s", tc.file, tc.reason, all)
		})
	}
	assert.Len(t, problems, len(cases), all)

	t.Run("what is readable is still reported", func(t *testing.T) {
		require.Len(t, run.Profiles, 2)
		broken := run.Profiles[0]
		assert.Equal(t, "broken", broken.Name)
		require.Len(t, broken.Features, 1, "the complete feature before the truncation")
		assert.Equal(t, "Authorization code grant", broken.Features[0].Name)
		assert.Equal(t, "good", run.Profiles[1].Name)
		require.Len(t, run.Load, 2)
		trunc := run.Load[1]
		assert.True(t, trunc.Truncated)
		assert.Equal(t, 100, trunc.Requests)
		assert.Equal(t, 100, trunc.Steps[0].Requests)
	})
	t.Run("the page shows a notice per problem, paths relative to the run", func(t *testing.T) {
		html, md, _ := renderAll(t, run)
		for _, n := range []string{"could not read conformance/broken/cucumber.json:", "could not read load/truncated/results.bin:", "could not read load/garbage/latency.hgrm:"} {
			assert.Contains(t, html, n)
			assert.Contains(t, md, n)
		}
	})
}

func TestNothingToRead(t *testing.T) {
	cases := []struct {
		description string
		dir         func(t *testing.T) string
		wantRun     bool
	}{
		{"an empty directory", func(t *testing.T) string { return t.TempDir() }, true},
		{"only unreadable files", func(t *testing.T) string {
			d := t.TempDir()
			require.NoError(t, os.MkdirAll(filepath.Join(d, "conformance", "x"), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(d, "conformance", "x", "cucumber.json"), []byte("{not json"), 0o644))
			return d
		}, true},
		{"a directory that does not exist", func(t *testing.T) string { return filepath.Join(t.TempDir(), "missing") }, false},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			run, problems := Build(context.Background(), tc.dir(t))
			assert.Equal(t, tc.wantRun, run != nil)
			if tc.wantRun {
				assert.True(t, errors.Is(errors.Join(problems...), ErrNothingRead), "problems: %v", problems)
			} else {
				assert.NotEmpty(t, problems)
			}
		})
	}
}

func TestHTMLIsSelfContainedAndSecretFree(t *testing.T) {
	run, _ := build(t, "testdata/run")
	html, md, js := renderAll(t, run)
	aborted, _ := build(t, "testdata/aborted")
	ahtml, amd, ajs := renderAll(t, aborted)

	t.Run("no network fetches", func(t *testing.T) {
		fetch := regexp.MustCompile(`(?i)(<link\b|<img\b|<iframe\b|\bsrc\s*=|@import|url\(|fetch\(|XMLHttpRequest|<script[^>]*\bsrc)`)
		assert.Empty(t, fetch.FindAllString(html, -1))
		for _, m := range regexp.MustCompile(`https?://[^\s"'<)]+`).FindAllString(html, -1) {
			ok := m == "http://www.w3.org/2000/svg" || strings.HasPrefix(m, "http://127.0.0.1:8080")
			assert.True(t, ok, "unexpected URL %s in the page", m)
		}
	})
	t.Run("the matrix, the headline and the plots are present", func(t *testing.T) {
		assert.Contains(t, html, `<table id="matrix">`)
		assert.Contains(t, html, "1 of 2 MUST checks pass for profile ucommerce")
		assert.Equal(t, 3*4, strings.Count(html, `<svg class="chart"`), "4 charts for each of 3 steps")
		assert.Contains(t, html, "p99&lt;20ms,success&gt;=99.9%")
		assert.Contains(t, html, `@ucommerce-code-expiry`)
		assert.Contains(t, html, `<details class="scenario failed" open`)
	})
	for name, out := range map[string]string{"HTML": html, "Markdown": md, "JSON": js,
		"HTML of an aborted run": ahtml, "Markdown of an aborted run": amd, "JSON of an aborted run": ajs} {
		t.Run("no secret in the "+name, func(t *testing.T) {
			for _, s := range plantedSecrets {
				assert.False(t, strings.Contains(out, s), "secret %q in the %s", s, name)
			}
		})
	}
}

func TestWriteAll(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.CopyFS(dir, os.DirFS("testdata/run")))
	require.NoError(t, WriteAll(dir, ""))
	for _, f := range []string{"report.html", "summary.md"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		require.NoError(t, err)
		assert.Contains(t, string(b), "MUST checks pass for profile ucommerce", f)
	}

	bad := t.TempDir()
	require.NoError(t, os.CopyFS(bad, os.DirFS("testdata/bad")))
	out := filepath.Join(t.TempDir(), "sub", "r.html")
	err := WriteAll(bad, out)
	require.Error(t, err, "the problems are returned")
	assert.Contains(t, err.Error(), filepath.Join(bad, "load/truncated/results.bin"))
	_, statErr := os.Stat(out)
	assert.NoError(t, statErr, "the page is written anyway")
}

// TestRedact checks what Redact composes: the one secret vocabulary
// (internal/redact.Text, whose own table covers every form of secret), then
// control characters escaped (internal/redact.EscapeControl).
func TestRedact(t *testing.T) {
	cases := []struct {
		description string
		in, want    string
	}{
		{"a credential is hidden", "> Authorization: Basic dXNlcjpwYXNz", "> Authorization: Basic [REDACTED]"},
		{"harmless text is unchanged", `the token request is refused with "invalid_grant"`, `the token request is refused with "invalid_grant"`},
		{"terminal escapes are shown, not run", "\x1b[2Jall checks passed\r", `\x1b[2Jall checks passed\x0d`},
		{"a secret beside a terminal escape is hidden too", "\x1b[31m refused: password=hunter2", `\x1b[31m refused: password=[REDACTED]`},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			got := Redact(tc.in)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, got, Redact(got), "Redact is idempotent")
		})
	}
}

func TestBuildStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	run, problems := Build(ctx, "testdata/run")
	require.NotNil(t, run)
	assert.True(t, errors.Is(errors.Join(problems...), context.Canceled), "problems: %v", problems)
}

func TestRawGodogSkipReason(t *testing.T) {
	feats, err := parseCucumber([]byte(`[{"uri":"a.feature","name":"A","elements":[{"name":"S","type":"scenario","tags":[{"name":"@must"}],
	  "steps":[{"keyword":"Given ","name":"x","result":{"status":"skipped"},
	  "embeddings":[{"name":"skip-reason.txt","mime_type":"text/plain","data":"cHJvZmlsZSBzaG9wd2FyZSBkb2VzIG5vdCBzdXBwb3J0IHRoZSBpbXBsaWNpdCBncmFudA=="}]}]}]}]`))
	require.NoError(t, err)
	s := feats[0].Scenarios[0]
	assert.Equal(t, outputs.StatusSkipped, s.Status)
	assert.Equal(t, "profile shopware does not support the implicit grant", s.SkipReason)
	assert.Empty(t, s.Steps[0].Exchanges, "the reason is not an HTTP exchange")
}

func TestOtherLayouts(t *testing.T) {
	t.Run("only the merged cucumber.json: profiles come from the uri prefix", func(t *testing.T) {
		dir := t.TempDir()
		var merged []map[string]any
		for _, p := range []string{"shopware", "ucommerce"} {
			b, err := os.ReadFile(filepath.Join("testdata/run/conformance", p, "cucumber.json"))
			require.NoError(t, err)
			var feats []map[string]any
			require.NoError(t, json.Unmarshal(b, &feats))
			for _, f := range feats {
				f["uri"] = p + "/" + f["uri"].(string)
				merged = append(merged, f)
			}
		}
		b, err := json.Marshal(merged)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "cucumber.json"), b, 0o644))
		run, problems := build(t, dir)
		require.Empty(t, problems)
		require.Len(t, run.Profiles, 2)
		assert.Equal(t, "ucommerce", run.Profiles[1].Name)
		assert.Equal(t, "authorization_code.feature", run.Profiles[1].Features[0].URI)
		// Without summary.json the levels come from the tags.
		assert.Equal(t, "2 of 3 MUST checks pass for profile ucommerce (1 failed, 1 not applicable)", run.Profiles[1].Headline())
	})
	t.Run("only summary.json: the headline still shows", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.MkdirAll(filepath.Join(dir, "conformance"), 0o755))
		b, err := os.ReadFile("testdata/run/conformance/summary.json")
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "conformance", "summary.json"), b, 0o644))
		run, problems := build(t, dir)
		require.Empty(t, problems)
		require.Len(t, run.Profiles, 2)
		assert.Equal(t, "1 of 2 MUST checks pass for profile ucommerce (1 failed, 1 not applicable)", run.Profiles[1].Headline())
		html, _, _ := renderAll(t, run)
		assert.Contains(t, html, "Scenario details unavailable")
		assert.Equal(t, "fail", run.Verdict())
	})
	t.Run("only load outputs", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.CopyFS(dir, os.DirFS("testdata/run/load")))
		require.NoError(t, os.Rename(dir, dir+".tmp"))
		require.NoError(t, os.MkdirAll(dir, 0o755))
		require.NoError(t, os.Rename(dir+".tmp", filepath.Join(dir, "load")))
		run, problems := build(t, dir)
		require.Empty(t, problems)
		assert.Empty(t, run.Profiles)
		assert.Len(t, run.Load, 2)
		assert.Equal(t, "fail", run.Verdict(), "authorization_code missed its SLO")
		html, md, _ := renderAll(t, run)
		assert.NotContains(t, html, `id="matrix"`)
		assert.Contains(t, md, "❌ fail `p99<20ms,success>=99.9%`")
	})
}

// TestMarkdownFlowStep: summary.md's authorization_code rows have the
// end-to-end flow step, as report.json and report.html do; a
// single-request grant has none.
func TestMarkdownFlowStep(t *testing.T) {
	run, _ := build(t, "testdata/run")
	_, md, _ := renderAll(t, run)
	require.Contains(t, md, "| authorization\\_code | flow | 200 flows | – | – | 6ms | 70ms | 74ms | 74ms | |\n")
	require.NotContains(t, md, "| client\\_credentials | flow |")
}

// TestMayTallies: where MUST and SHOULD are tallied, MAY is too, as
// optional and never gating, but only when a MAY scenario ran.
func TestMayTallies(t *testing.T) {
	cases := []struct {
		description string
		dir         string
		md, html    []string
		js          string
	}{
		{"a profile ran a MAY scenario: its tally, and a matrix row", "testdata/outcomes",
			[]string{"; MAY (optional, never gating): 1 passed, 0 failed, 0 not tested, 0 not applicable\n", "| **MAY** (optional, never gating) | – | 1 of 1 pass |\n"},
			[]string{"<tr><th>MAY <span class=\"mut\">(optional, never gating)</span></th><td class=\"cell none\">–</td><td class=\"cell pass\"", "; MAY (optional, never gating): 1 passed, 0 failed, 0 not tested, 0 not applicable.</span>"},
			`"may_tally": "1 passed, 0 failed, 0 not tested, 0 not applicable"`},
		{"no MAY scenario ran: no MAY anywhere", "testdata/run", nil, nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			run, _ := build(t, tc.dir)
			html, md, js := renderAll(t, run)
			for _, w := range tc.md {
				require.Contains(t, md, w)
			}
			for _, w := range tc.html {
				require.Contains(t, html, w)
			}
			if tc.js != "" {
				require.Contains(t, js, tc.js)
				return
			}
			require.NotContains(t, md, "MAY")
			require.NotContains(t, html, "MAY ")
			require.NotContains(t, js, "may")
		})
	}
}
