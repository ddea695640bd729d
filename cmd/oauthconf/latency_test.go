package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// slowInvalidServer answers every third token request slowly (40ms) with a
// body that is no token response, the others at once with a valid one:
// the latencies of all responses and of the valid ones differ by far.
func slowInvalidServer(t *testing.T, everyInvalid bool) string {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if everyInvalid || n.Add(1)%3 == 0 {
			time.Sleep(40 * time.Millisecond)
			_, _ = w.Write([]byte(`{"status":"ok"}`))
			return
		}
		_, _ = w.Write([]byte(`{"access_token":"tok","token_type":"Bearer","expires_in":3600}`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// latencyOutputs are the p99 latencies a user reads in each output of one
// load run: the terminal, report.json, the SLO verdict, summary.md and
// report.html ("n/a" where none is shown).
type latencyOutputs map[string]string

func readLatencyOutputs(t *testing.T, stdout, out string) latencyOutputs {
	t.Helper()
	got := latencyOutputs{}
	// find records the first group of the first of res that matches text.
	find := func(what, text string, res ...string) {
		for _, re := range res {
			if m := regexp.MustCompile(re).FindStringSubmatch(text); m != nil {
				got[what] = m[1]
				return
			}
		}
		t.Errorf("%s: no match for %q in:\n%s", what, res, text)
	}
	find("terminal Latencies line", stdout, `(?m)^Latencies\s+\[min, mean, 50, 90, 95, 99, max\]\s+(?:[^,\n]+, ){5}([^,\s]+)`, `(?m)^Latencies.*max\]\s+(n/a)`)
	find("terminal Step token line", stdout, `(?m)^Step token .* p99 (\S+)`)
	dir := filepath.Join(out, "load", "client_credentials")
	var rep struct {
		Latencies *struct{ P99 int64 } `json:"latencies"`
		Steps     map[string]struct {
			Latencies *struct{ P99 int64 } `json:"latencies"`
		} `json:"steps"`
		SLO struct{ Conditions []struct{ Got string } } `json:"slo"`
	}
	raw, err := os.ReadFile(filepath.Join(dir, "report.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &rep))
	ns := func(l *struct{ P99 int64 }) string {
		if l == nil {
			return "n/a"
		}
		return time.Duration(l.P99).String()
	}
	got["report.json latencies"], got["report.json steps.token.latencies"] = ns(rep.Latencies), ns(rep.Steps["token"].Latencies)
	require.Len(t, rep.SLO.Conditions, 1)
	got["SLO verdict"] = strings.TrimSuffix(rep.SLO.Conditions[0].Got, " (no valid response)")
	md, err := os.ReadFile(filepath.Join(out, "summary.md"))
	require.NoError(t, err)
	cell := `[^|]*\| `
	find("summary.md all row", string(md), `\| client\\_credentials \| \*\*all\*\* \| `+strings.Repeat(cell, 5)+`([^ |]+) \|`)
	find("summary.md token row", string(md), `\| client\\_credentials \| token \| `+strings.Repeat(cell, 5)+`([^ |]+) \|`)
	html, err := os.ReadFile(filepath.Join(out, "report.html"))
	require.NoError(t, err)
	td := `<td[^>]*>[^<]*</td>`
	find("report.html step table", string(html), `<tr><th>token</th>`+strings.Repeat(td, 3)+`<td[^>]*>(n/a)`, `<tr><th>token</th>`+strings.Repeat(td, 7)+`<td[^>]*>([^<]*)</td>`)
	find("report.html load table", string(html), `<tr><th><a href="#[^"]*">client_credentials</a></th>`+strings.Repeat(td, 3)+`<td[^>]*>(n/a)`, `<tr><th><a href="#[^"]*">client_credentials</a></th>`+strings.Repeat(td, 4)+`<td[^>]*>([^<]*)`)
	return got
}

// TestLoadLatenciesAreOfValidResponsesEverywhere: in one run whose invalid
// answers are slow and valid ones fast, every output shows the same p99,
// that of the valid responses; with no valid response every output says n/a.
func TestLoadLatenciesAreOfValidResponsesEverywhere(t *testing.T) {
	t.Run("a mix of fast valid and slow invalid answers", func(t *testing.T) {
		out := t.TempDir()
		code, stdout, stderr := runCLI(context.Background(), "load", "--target", slowInvalidServer(t, false), "--profile", "rfc6749", "--quiet",
			"--credential", "client_id=a", "--credential", "client_secret=b", "--rate", "60", "--duration", "1s", "--out", out, "--slo", "token.p99<1us")
		require.Equal(t, 1, code, "the SLO is missed\nstdout: %s\nstderr: %s", stdout, stderr)
		got := readLatencyOutputs(t, stdout, out)
		want, err := time.ParseDuration(got["report.json latencies"])
		require.NoError(t, err)
		require.Less(t, want, 40*time.Millisecond, "the p99 is of the fast valid answers, not of the invalid ones (40ms and more): %v", got)
		for what, s := range got {
			d, err := time.ParseDuration(s)
			require.NoError(t, err, "%s: %q", what, s)
			// The outputs round differently (µs, or three significant digits).
			require.InDelta(t, float64(want), float64(d), float64(want)/100+float64(time.Microsecond), "%s shows p99 %s, report.json %s: %v", what, s, want, got)
		}
	})
	t.Run("no valid answer: no latency anywhere", func(t *testing.T) {
		out := t.TempDir()
		code, stdout, stderr := runCLI(context.Background(), "load", "--target", slowInvalidServer(t, true), "--profile", "rfc6749", "--quiet",
			"--credential", "client_id=a", "--credential", "client_secret=b", "--rate", "20", "--duration", "500ms", "--out", out, "--slo", "token.p99<1us")
		require.Equal(t, 1, code, "stdout: %s\nstderr: %s", stdout, stderr)
		for what, s := range readLatencyOutputs(t, stdout, out) {
			want := "n/a"
			if what == "SLO verdict" {
				want = "no valid response"
			}
			require.Equal(t, want, s, "%s", what)
		}
	})
}

// TestLoadReportKeepsWhereTheDataCameFrom: load report reads the
// report.json beside each results.bin, so the merged outputs name the
// runs' profiles, targets, version and label (listing them, and warning,
// when the inputs disagree); --label names the merged run; every merged
// output is readable by others (0644).
func TestLoadReportKeepsWhereTheDataCameFrom(t *testing.T) {
	runs := t.TempDir()
	var files []string
	for _, prof := range []string{"rfc6749", "shopware"} {
		out := filepath.Join(runs, prof)
		code, stdout, stderr := runCLI(context.Background(), "load", "--profile", prof, "--rate", "20", "--duration", "300ms", "--quiet", "--label", "nightly #412", "--out", out)
		require.Equal(t, 0, code, "stdout: %s\nstderr: %s", stdout, stderr)
		files = append(files, filepath.Join(out, "load", "client_credentials", "results.bin"))
	}
	target := func(i int) string {
		var rep struct{ Target string }
		raw, err := os.ReadFile(filepath.Join(filepath.Dir(files[i]), "report.json"))
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(raw, &rep))
		return rep.Target
	}
	cases := []struct {
		description string
		files       []string
		label       []string
		wantHeader  []string
		wantStdout  string
		wantStderr  string
	}{
		{"one run keeps its profile, target, version and label", files[:1], nil,
			[]string{"| version | dev |", "| target | " + target(0) + " |", "| profiles | rfc6749 |", "| label | nightly #412 |"}, "profile rfc6749, target " + target(0), ""},
		{"runs that disagree are all listed", files, []string{"--label", "merged 412"},
			[]string{"| target | " + target(0) + ", " + target(1) + " |", "| profiles | rfc6749, shopware |", "| label | merged 412 |"},
			"profile rfc6749, shopware, target " + target(0) + ", " + target(1), "load report: the inputs disagree: profiles: rfc6749, shopware"},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			merged := t.TempDir()
			args := append(append([]string{"load", "report", "--out", merged}, tc.label...), tc.files...)
			code, stdout, stderr := runCLI(context.Background(), args...)
			require.Equal(t, 0, code, "stdout: %s\nstderr: %s", stdout, stderr)
			require.Contains(t, stdout, tc.wantStdout)
			require.Contains(t, stderr, tc.wantStderr)
			if tc.wantStderr == "" {
				require.NotContains(t, stderr, "disagree")
			}
			md, err := os.ReadFile(filepath.Join(merged, "summary.md"))
			require.NoError(t, err)
			for _, want := range tc.wantHeader {
				require.Contains(t, string(md), want)
			}
			require.NotContains(t, string(md), "result files", "the target is the runs', not a count of files")
			dir := filepath.Join(merged, "load", "client_credentials")
			for _, name := range []string{"results.bin", "report.json", "latency.hgrm", "plot.html"} {
				fi, err := os.Stat(filepath.Join(dir, name))
				require.NoError(t, err)
				require.Equal(t, os.FileMode(0o644), fi.Mode().Perm(), "%s is readable as the other outputs", name)
			}
		})
	}
}
