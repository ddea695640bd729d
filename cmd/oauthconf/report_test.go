package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReportCommand(t *testing.T) {
	copyRun := func(t *testing.T, from string) string {
		dir := t.TempDir()
		require.NoError(t, os.CopyFS(dir, os.DirFS(filepath.Join("..", "..", "reports", "testdata", from))))
		return dir
	}
	cases := []struct {
		description string
		setup       func(t *testing.T) []string // returns the args after "report"
		wantCode    int
		wantOut     string
		wantErr     string
		wantFiles   []string
		wantHTML    string // in every .html file written
	}{
		{"a run directory gives report.html and summary.md next to it", func(t *testing.T) []string {
			return []string{"--in", copyRun(t, "run")}
		}, 0, "", "wrote", []string{"report.html", "summary.md"}, `<table id="matrix">`},
		{"--out and --markdown - write where asked", func(t *testing.T) []string {
			dir := copyRun(t, "run")
			return []string{"--in", dir, "--out", filepath.Join(dir, "sub", "page.html"), "--markdown", "-"}
		}, 0, "1 of 2 MUST checks pass for profile ucommerce", "", []string{"sub/page.html"}, `<svg class="chart"`},
		{"--json - prints the headline numbers", func(t *testing.T) []string {
			return []string{"--in", copyRun(t, "run"), "--json", "-"}
		}, 0, `"headline": "1 of 2 MUST checks pass for profile ucommerce (1 failed, 1 not applicable)"`, "", []string{"report.html"}, "MUST checks pass"},
		{"--label names the run in the header of every output", func(t *testing.T) []string {
			return []string{"--in", copyRun(t, "outcomes"), "--label", "release 2.3 candidate", "--markdown", "-"}
		}, 0, "# oauthconf report: release 2.3 candidate", "", []string{"report.html"}, `<dd id="run-label">release 2.3 candidate</dd>`},
		{"bad files are named and the report is still written (exit 0)", func(t *testing.T) []string {
			return []string{"--in", copyRun(t, "bad")}
		}, 0, "", "could not read ", []string{"report.html", "summary.md"}, "could not read load/truncated/results.bin:"},
		{"nothing readable exits 1 but still writes the page", func(t *testing.T) []string {
			return []string{"--in", t.TempDir()}
		}, 1, "", "nothing to report", []string{"report.html", "summary.md"}, "nothing to report"},
		{"--in is required", func(t *testing.T) []string { return nil }, 2, "", "--in DIR is required", nil, ""},
		{"a missing --in directory is a usage error", func(t *testing.T) []string {
			return []string{"--in", filepath.Join(t.TempDir(), "nope")}
		}, 2, "", "no such file", nil, ""},
		{"an unknown flag is a usage error", func(t *testing.T) []string { return []string{"--bogus"} }, 2, "", "unknown flag: --bogus", nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			args := tc.setup(t)
			code, out, errOut := runCLI(context.Background(), append([]string{"report"}, args...)...)
			require.Equal(t, tc.wantCode, code, "stdout: %s\nstderr: %s", out, errOut)
			assert.Contains(t, out, tc.wantOut)
			assert.Contains(t, errOut, tc.wantErr)
			in := ""
			for i, a := range args {
				if a == "--in" && i+1 < len(args) {
					in = args[i+1]
				}
			}
			for _, f := range tc.wantFiles {
				b, err := os.ReadFile(filepath.Join(in, f))
				require.NoError(t, err, "%s not written", f)
				if strings.HasSuffix(f, ".html") {
					assert.True(t, strings.Contains(string(b), tc.wantHTML), "%s lacks %q", f, tc.wantHTML)
				}
			}
		})
	}
}
