package reports

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauthconf/oauthconf/internal/outputs"
	"github.com/stretchr/testify/require"
)

// TestServerCostShown: report.json's server object (load --server-pid) is
// shown in report.html, summary.md and the JSON summary as its one line and
// its warnings, the process name escaped (a process names itself).
func TestServerCostShown(t *testing.T) {
	dir := t.TempDir()
	rep := outputs.LoadReport{Scenario: "client_credentials", Requests: 1000, SuccessRatio: 1, Steps: map[string]*outputs.StepReport{},
		Server: &outputs.ServerCost{PID: 4242, Command: "<b>srv</b>", Samples: 51, SpanSeconds: 10, CPUSeconds: 2, CPUCores: 0.2, Tokens: 1000,
			CPUMicrosPerToken: 2000, RSSStartBytes: 50 << 20, RSSEndBytes: 100 << 20, RSSPeakBytes: 100 << 20, RSSGrowthPer1000Tokens: 50 << 20,
			Warnings: []string{"RSS grew steadily: +10.0 MiB per 1,000 tokens over the last 5 s (possible leak)"},
			Series:   []outputs.ServerSample{{Second: 0, RSSBytes: 50 << 20}, {Second: 5, CPUSeconds: 1, RSSBytes: 75 << 20, Tokens: 500}, {Second: 10, CPUSeconds: 2, RSSBytes: 100 << 20, Tokens: 1000}}}}
	b, err := outputs.Marshal(rep, true)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "load", "client_credentials"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "load", "client_credentials", outputs.LoadReportName), b, 0o644))
	require.NoError(t, WriteAll(dir, filepath.Join(dir, "report.html")))

	line := "process 4242 (&lt;b&gt;srv&lt;/b&gt;): CPU 2.00 s (0.20 cores), 2000.0 µs per token; RSS 50.0 MiB → 100.0 MiB (peak 100.0 MiB), &#43;50.0 MiB per 1,000 tokens (51 samples over 10.0 s; this process only, not its children)"
	html, err := os.ReadFile(filepath.Join(dir, "report.html"))
	require.NoError(t, err)
	want := `<div class="server-cost"><p>Server ` + line + `</p><p class="notice">RSS grew steadily: &#43;10.0 MiB per 1,000 tokens over the last 5 s (possible leak)</p><div class="charts"><svg class="chart"`
	require.True(t, strings.Contains(string(html), want), "report.html has\n%s", want)
	require.False(t, strings.Contains(string(html), "<b>srv</b>"), "report.html escapes the process name")
	for _, chart := range []string{"client_credentials: server process 4242 RSS (MiB)", "client_credentials: server process 4242 CPU (cores)"} {
		require.True(t, strings.Contains(string(html), `aria-label="`+chart+`"`), "report.html charts %s", chart)
	}

	md, err := os.ReadFile(filepath.Join(dir, "summary.md"))
	require.NoError(t, err)
	require.Contains(t, string(md), "Server of **client\\_credentials**: process 4242 (&lt;b&gt;srv&lt;/b&gt;): CPU 2.00 s", "summary.md escapes the process name")
	require.Contains(t, string(md), "⚠️ RSS grew steadily: +10.0 MiB per 1,000 tokens over the last 5 s (possible leak)")

	run, problems := Build(context.Background(), dir)
	require.Empty(t, problems)
	s := run.Summary()
	require.Len(t, s.Load, 1)
	require.Equal(t, rep.Server, s.Load[0].Server, "report --json carries the server object")
}
