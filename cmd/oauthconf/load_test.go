package main

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oauthconf/oauthconf/internal/demo"
	"github.com/oauthconf/oauthconf/reference"
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
		{"rfc6749 implicit goes through the authorization endpoint", []string{"load", "--profile", "rfc6749", "--scenario", "implicit", "--rate", "20", "--duration", "500ms", "--quiet"}, 0, "Valid tokens  [ratio]  100.00%", ""},
		{"a capacity search where no probe failed up to --max-rate is a lower bound", []string{"load", "--find-capacity", "--slo", "success>=99%", "--rate", "20", "--max-rate", "40", "--duration", "400ms", "--quiet"}, 0, "capacity: at least 40 req/s (no probe failed up to --max-rate)", ""},
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
	t.Run("a target whose every answer is invalid exits 1", func(t *testing.T) {
		base, stop, err := startEmbeddedReference(reference.WithDefects(reference.MalformedJSON))
		require.NoError(t, err)
		defer stop()
		code, stdout, stderr := runCLI(context.Background(), "load", "--target", base, "--profile", "shopware", "--quiet",
			"--credential", "client_id=SWIADEMOINTEGRATION0000001", "--credential", "client_secret=shopware-demo-integration-secret-2b7c",
			"--rate", "20", "--duration", "500ms")
		require.Equal(t, 1, code, "stdout: %s\nstderr: %s", stdout, stderr)
		require.Contains(t, stdout, "Success       [ratio]                           0.00%", "vegeta's Success line counts valid token responses")
		// vegeta paces by wall clock: on a busy machine the last of the ten hits may miss the deadline.
		require.Regexp(t, `none of (9|10) responses was a valid token response: invalid token response: body is not JSON`, stderr)
	})
	t.Run("--demo-credentials stands in for the credentials of an oauthconf serve target", func(t *testing.T) {
		base, stop, err := startEmbeddedReference()
		require.NoError(t, err)
		defer stop()
		code, _, stderr := runCLI(context.Background(), "load", "--target", base, "--profile", "shopware", "--quiet", "--rate", "20", "--duration", "500ms")
		require.Equal(t, 2, code)
		require.Contains(t, stderr, "--demo-credentials uses its demo credentials")
		code, stdout, stderr := runCLI(context.Background(), "load", "--target", base, "--profile", "shopware", "--quiet", "--rate", "20", "--duration", "500ms", "--demo-credentials")
		require.Equal(t, 0, code, stderr)
		require.Contains(t, stdout, "Valid tokens  [ratio]  100.00%")
	})
	t.Run("an unreachable target exits 2 naming it", func(t *testing.T) {
		code, _, stderr := runCLI(context.Background(), "load", "--target", "http://127.0.0.1:1", "--profile", "rfc6749",
			"--credential", "client_id=a", "--credential", "client_secret=b", "--duration", "1s")
		require.Equal(t, 2, code)
		require.Contains(t, stderr, "http://127.0.0.1:1/oauth2/token does not answer")
	})
	t.Run("a misspelled credential is refused", func(t *testing.T) {
		code, _, stderr := runCLI(context.Background(), "load", "--target", "http://127.0.0.1:1", "--profile", "rfc6749", "--credential", "client_id_2=x")
		require.Equal(t, 2, code)
		require.Contains(t, stderr, `credential "client_id_2" is not one of profile rfc6749's`)
	})
	t.Run("the run's files were written and merge back", func(t *testing.T) {
		bin := filepath.Join(out, "load", "client_credentials", "results.bin")
		_, err := os.Stat(bin)
		require.NoError(t, err)
		total := func(stdout string) int {
			m := regexp.MustCompile(`Requests\s+\[total, rate, throughput\]\s+(\d+),`).FindStringSubmatch(stdout)
			require.NotNil(t, m, "no Requests line in:\n%s", stdout)
			n, err := strconv.Atoi(m[1])
			require.NoError(t, err)
			return n
		}
		code, stdout, stderr := runCLI(context.Background(), "load", "report", bin, "--out", filepath.Join(out, "single"))
		require.Equal(t, 0, code, stderr)
		one := total(stdout)
		require.Greater(t, one, 0)
		code, stdout, stderr = runCLI(context.Background(), "load", "report", bin, bin, "--out", filepath.Join(out, "merged"))
		require.Equal(t, 0, code, stderr)
		require.Equal(t, 2*one, total(stdout), "merging a file with itself counts its hits twice")
		_, err = os.Stat(filepath.Join(out, "merged", "load", "client_credentials", "report.json"))
		require.NoError(t, err, "merged files use the run layout, so that report --in reads them")
		_, err = os.Stat(filepath.Join(out, "merged", "report.html"))
		require.NoError(t, err)
	})
}

// TestLoadProgressAndNoSecrets runs a password-grant load (the request bodies
// carry a password and a client secret; the answers carry tokens) and checks
// what a user sees: a progress line a second on stderr, and not one secret in
// stdout, stderr or any output file.
func TestLoadProgressAndNoSecrets(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := runCLI(context.Background(), "load", "--profile", "shopware", "--scenario", "password",
		"--rate", "30", "--duration", "2200ms", "--out", out)
	require.Equal(t, 0, code, "stdout: %s\nstderr: %s", stdout, stderr)
	progress := regexp.MustCompile(`(?m)^\[\s*\d+s\]\s+\d+ requests\s+[\d.]+/s\s+p50 \S+\s+p99 \S+\s+errors 0$`)
	require.GreaterOrEqual(t, len(progress.FindAllString(stderr, -1)), 2, "one progress line a second:\n%s", stderr)

	secrets := []string{}
	for name, v := range demo.For("shopware") {
		// The demo admin password is Shopware's well-known default, "shopware":
		// the profile's own name, printed on purpose, so it cannot be told apart.
		if (strings.Contains(name, "secret") || strings.Contains(name, "password")) && v != "shopware" {
			secrets = append(secrets, v)
		}
	}
	require.NotEmpty(t, secrets)
	texts := map[string]string{"stdout": stdout, "stderr": stderr}
	require.NoError(t, filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := os.ReadFile(path)
		texts[path] = string(raw)
		return err
	}))
	require.Contains(t, texts, filepath.Join(out, "load", "password", "report.json"))
	for where, text := range texts {
		for _, s := range secrets {
			require.NotContains(t, text, s, "a secret leaked into %s", where)
		}
		require.NotRegexp(t, `eyJ[\w-]{10,}\.`, text, "a token leaked into %s", where)
	}
}

// TestLoadInterruptWritesWhatRan cancels a long run (as Ctrl-C does through
// main's signal context): it stops early, exits 0 and still writes its files.
func TestLoadInterruptWritesWhatRan(t *testing.T) {
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(1200*time.Millisecond, cancel)
	start := time.Now()
	code, stdout, stderr := runCLI(ctx, "load", "--profile", "rfc6749", "--rate", "40", "--duration", "1m", "--quiet", "--out", out)
	require.Equal(t, 0, code, "stdout: %s\nstderr: %s", stdout, stderr)
	require.Less(t, time.Since(start), 30*time.Second, "the run stopped long before its minute")
	require.Contains(t, stdout, "Interrupted")
	raw, err := os.ReadFile(filepath.Join(out, "load", "client_credentials", "report.json"))
	require.NoError(t, err)
	var rep struct {
		Requests    int  `json:"requests"`
		Interrupted bool `json:"interrupted"`
	}
	require.NoError(t, json.Unmarshal(raw, &rep))
	require.Greater(t, rep.Requests, 0)
	require.True(t, rep.Interrupted)
}
