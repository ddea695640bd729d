package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oauthconf/oauthconf/internal/outputs"
)

// TestLoadReportNamesTheRun: load's report.json records the oauthconf
// version, --label and start, and the report's header shows them.
func TestLoadReportNamesTheRun(t *testing.T) {
	out := t.TempDir()
	before := time.Now().UTC().Add(-time.Second)
	code, stdout, stderr := runCLI(t.Context(), "load", "--profile", "shopware", "--scenario", "client_credentials", "--rate", "20",
		"--duration", "300ms", "--quiet", "--label", "soak #7", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	data, err := os.ReadFile(filepath.Join(out, "load", "client_credentials", outputs.LoadReportName))
	if err != nil {
		t.Fatal(err)
	}
	var rep outputs.LoadReport
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Label != "soak #7" || rep.Version == "" || rep.StartedAt == nil || rep.StartedAt.Before(before) || rep.StartedAt.After(time.Now()) {
		t.Errorf("report.json label %q, version %q, started_at %v: want the label, a version and the run's start", rep.Label, rep.Version, rep.StartedAt)
	}
	html, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<dd id="run-label">soak #7</dd>`, `<dd id="run-version">oauthconf ` + rep.Version + `</dd>`,
		`<dd id="run-date">` + rep.StartedAt.Format("2006-01-02 15:04:05 UTC") + `</dd>`} {
		if !strings.Contains(string(html), want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
}
