package load

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oauthconf/oauthconf/internal/outputs"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// TestSLOAbortStopsABreachedRun: with SLOAbort a run whose SLO is breached
// stops at the first check after the grace, long before its duration, and
// says when and why; a run that meets its SLO runs to its end.
func TestSLOAbortStopsABreachedRun(t *testing.T) {
	base := startReference(t)
	cases := []struct {
		description string
		slo         string
		duration    time.Duration
		wantAbort   bool
	}{
		{"a breached SLO stops the run", "p50<1ns", 30 * time.Second, true},
		{"a step's breach stops it too (error_rate<0% never holds)", "success>=0%,token.error_rate<0%", 30 * time.Second, true},
		{"a met SLO runs to the end", "p99<5s,error_rate<=1%", 1500 * time.Millisecond, false},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			o := demoOptions(t, base, "rfc6749", ClientCredentials)
			o.Rate, o.Duration, o.OutDir = 100, tc.duration, t.TempDir()
			o.SLOAbort, o.AbortGrace, o.AbortMinRequests = true, 200*time.Millisecond, 20
			var err error
			o.SLO, err = ParseSLO(tc.slo)
			require.NoError(t, err)
			start := time.Now()
			rep, err := Run(context.Background(), o)
			require.NoError(t, err)
			var text strings.Builder
			require.NoError(t, WriteText(&text, rep))
			if !tc.wantAbort {
				require.Nil(t, rep.SLO.Aborted, text.String())
				require.True(t, rep.SLO.Pass, text.String())
				return
			}
			require.Less(t, time.Since(start), 10*time.Second, "stopped long before its %s", tc.duration)
			require.NotNil(t, rep.SLO.Aborted, text.String())
			require.False(t, rep.SLO.Pass)
			require.GreaterOrEqual(t, rep.SLO.Aborted.AtSeconds, 1.0, "checked every second")
			require.True(t, errors.Is(rep.Verdict(), ErrSLOMissed), "an aborted run exits 1")
			require.Regexp(t, `Aborted: SLO breached at [\d.]+s: \S+ < \S+: got `, text.String())
			require.False(t, rep.Interrupted, "an abort is no Ctrl-C")
			require.Empty(t, rep.ErrorClasses, "the answers in flight were awaited, not cut")
			raw := mustRead(t, filepath.Join(o.OutDir, "load", ClientCredentials, "report.json"))
			require.Contains(t, string(raw), `"aborted": {`, "report.json records the abort")
		})
	}
}

func TestJudgeProbe(t *testing.T) {
	rep := func(requests uint64, slo *outputs.SLOVerdict) *Report {
		return &Report{LoadReport: outputs.LoadReport{Requests: requests, SLO: slo}}
	}
	cases := []struct {
		description string
		rep         *Report
		want        string
	}{
		{"all sent and the SLO met", rep(100, &outputs.SLOVerdict{Pass: true}), ProbeMet},
		{"all sent and the SLO missed", rep(100, &outputs.SLOVerdict{}), ProbeMissed},
		{"too few sent is the generator's limit", rep(50, &outputs.SLOVerdict{Pass: true}), ProbeGenerator},
		{"stopped by --slo-abort is missed, not the generator's limit", rep(20, &outputs.SLOVerdict{Aborted: &outputs.SLOAbort{AtSeconds: 1}}), ProbeMissed},
		{"interrupted", &Report{LoadReport: outputs.LoadReport{Requests: 20, Interrupted: true}}, ProbeInterrupted},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			require.Equal(t, tc.want, judgeProbe(50, 2*time.Second, tc.rep).Verdict)
		})
	}
}

// assertMergedResults checks that the merged output in dir has a
// results.bin that vegeta's decoder and metrics read, with every result
// (total) of every input, per step as the merged report counts them.
func assertMergedResults(t *testing.T, dir string, rep *Report, total uint64) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "results.bin"))
	require.NoError(t, err)
	defer f.Close()
	dec := vegeta.NewDecoder(f)
	var m vegeta.Metrics
	steps := map[string]uint64{}
	for {
		var r vegeta.Result
		if err := dec.Decode(&r); err != nil {
			require.ErrorIs(t, err, io.EOF)
			break
		}
		m.Add(&r)
		steps[strings.TrimPrefix(r.Attack, rep.Scenario+"/")]++
	}
	m.Close()
	require.Equal(t, total, m.Requests, "every result of every merged file")
	for name, s := range rep.Steps {
		require.Equal(t, s.Requests, steps[name], "step %s", name)
	}
	require.Greater(t, m.Success, 0.99)
}
