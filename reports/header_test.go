package reports

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLoadRunHeader: a load-only run directory's report header takes the
// version, --label and start from report.json; summary.json's win when verify
// ran too.
func TestLoadRunHeader(t *testing.T) {
	rep := `{"scenario":"client_credentials","profile":"shopware","target":"http://127.0.0.1:8080","rate":50,"duration_seconds":2,"requests":100,
"success_ratio":1,"throughput":50,"latencies":{"mean":1,"p50":1,"p90":1,"p95":1,"p99":1,"max":1},"status_codes":{"200":100},"errors":[],"steps":{},"slo":null,"timeline":[],
"version":"v1.5.0","label":"soak #7","started_at":"2026-11-23T04:05:06Z"}`
	summary := `{"label":"nightly #412","version":"v1.4.0","started_at":"2026-11-22T23:00:00Z","profiles":[],"exit_code":0}`
	cases := []struct {
		description string
		summary     string
		want        Header
	}{
		{"load only: report.json names the run", "", Header{Label: "soak #7", Version: "v1.5.0", Date: "2026-11-23 04:05:06 UTC",
			Targets: []string{"http://127.0.0.1:8080"}, Profiles: []string{"shopware"}, Duration: "2s"}},
		{"verify and load: summary.json's label, version and start win", summary, Header{Label: "nightly #412", Version: "v1.4.0", Date: "2026-11-22 23:00:00 UTC",
			Targets: []string{"http://127.0.0.1:8080"}, Profiles: []string{"shopware"}, Duration: "2s"}},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.MkdirAll(filepath.Join(dir, "load", "client_credentials"), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "load", "client_credentials", "report.json"), []byte(rep), 0o644))
			if tc.summary != "" {
				require.NoError(t, os.MkdirAll(filepath.Join(dir, "conformance"), 0o755))
				require.NoError(t, os.WriteFile(filepath.Join(dir, "conformance", "summary.json"), []byte(tc.summary), 0o644))
			}
			run, problems := build(t, dir)
			require.Empty(t, problems)
			assert.Equal(t, tc.want, run.Header())
			html, md, js := renderAll(t, run)
			assert.Contains(t, html, `<dd id="run-label">`+tc.want.Label+`</dd>`)
			assert.Contains(t, html, `<dd id="run-version">oauthconf `+tc.want.Version+`</dd>`)
			assert.Contains(t, html, `<dd id="run-date">`+tc.want.Date+`</dd>`)
			assert.True(t, strings.HasPrefix(md, "# oauthconf report: "+tc.want.Label+"\n"), md)
			assert.Contains(t, md, "| version | "+tc.want.Version+" |")
			assert.Contains(t, js, `"version": "`+tc.want.Version+`"`)
		})
	}
}
