package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLoadCommand(t *testing.T) {
	out := t.TempDir()
	cases := []struct {
		description string
		args        []string
		wantCode    int
		wantOut     string
		wantErr     string
	}{
		{"a short run against the embedded reference", []string{"load", "--profile", "shopware", "--rate", "50", "--duration", "1s", "--quiet", "--out", out}, 0, "Valid tokens  [ratio]  100.00%", "embedded reference server at http://127.0.0.1:"},
		{"a missed SLO exits 1", []string{"load", "--rate", "20", "--duration", "500ms", "--quiet", "--slo", "p50<1ns"}, 1, "SLO p50<1ns  FAIL", "SLO missed"},
		{"a bad SLO is a usage error", []string{"load", "--slo", "p99<soon"}, 2, "", `"soon" is not a duration`},
		{"a remote target needs --allow-remote", []string{"load", "--target", "https://auth.example.com", "--profile", "rfc6749"}, 2, "", "needs --allow-remote"},
		{"an unknown profile is a usage error", []string{"load", "--profile", "nope"}, 2, "", `unknown profile "nope"`},
		{"an unsupported scenario names the ones there are", []string{"load", "--profile", "elasticpath", "--scenario", "refresh_token", "--duration", "1s"}, 2, "", "it has: client_credentials, implicit, customer_token, mix"},
		{"a bad mix", []string{"load", "--mix", "cc=lots"}, 2, "", "positive whole weight"},
		{"a bad ramp", []string{"load", "--ramp", "1:2"}, 2, "", "FROM:TO:STEPS"},
		{"a missing credential against a target names the variable", []string{"load", "--target", "http://127.0.0.1:1", "--profile", "shopware"}, 2, "", "OAUTHCONF_CLIENT_SECRET"},
		{"merging no files is a usage error", []string{"load", "report"}, 2, "", "requires at least 1 arg"},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			for _, k := range []string{"OAUTHCONF_CLIENT_ID", "OAUTHCONF_CLIENT_SECRET", "OAUTHCONF_USERNAME", "OAUTHCONF_PASSWORD"} {
				t.Setenv(k, "")
			}
			code, stdout, stderr := runCLI(context.Background(), tc.args...)
			require.Equal(t, tc.wantCode, code, "stdout: %s\nstderr: %s", stdout, stderr)
			require.Contains(t, stdout, tc.wantOut)
			require.Contains(t, stderr, tc.wantErr)
		})
	}
	t.Run("the run's files were written and merge back", func(t *testing.T) {
		bin := filepath.Join(out, "load", "client_credentials", "results.bin")
		_, err := os.Stat(bin)
		require.NoError(t, err)
		code, stdout, stderr := runCLI(context.Background(), "load", "report", bin, bin, "--out", filepath.Join(out, "merged"))
		require.Equal(t, 0, code, stderr)
		require.Contains(t, stdout, "Requests      [total, rate, throughput]         100,")
		_, err = os.Stat(filepath.Join(out, "merged", "report.json"))
		require.NoError(t, err)
	})
}
