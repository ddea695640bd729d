package main

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/oauthconf/oauthconf/internal/hostile"
	"github.com/oauthconf/oauthconf/reference"
)

// TestVerifyShopwareExitsOneUnderEveryShopwareDefect is issue 3's acceptance
// as a test: `verify --target … --profile shopware --test-clock` against a
// reference server started with any defect that changes the Shopware dialect
// (serve --list-defects names the dialects of each) exits 1 and names the
// failing scenario (with --strict where only SHOULD rules break). Defects of other dialects cannot change what Shopware's
// endpoints do; steps.TestDefects checks that claim for every profile.
// shopwareShouldOnly are the Shopware defects that break SHOULD rules only
// (steps.TestDefects holds the full partition, for every profile).
var shopwareShouldOnly = map[string]string{
	"secret-in-query":   "RFC 6749 §2.3.1: refusing credentials in the URI is a SHOULD",
	"token-get-allowed": "RFC 6749 §3.2: refusing GET is a SHOULD",
}

func TestVerifyShopwareExitsOneUnderEveryShopwareDefect(t *testing.T) {
	for _, d := range reference.Defects() {
		if !slices.Contains(d.Dialects(), "shopware") {
			continue
		}
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			target := referenceTarget(t, nil, d)
			args := append([]string{"verify", "--target", target, "--profile", "shopware", "--test-clock"}, shopwareCreds()...)
			if reason, ok := shopwareShouldOnly[string(d)]; ok {
				// Only SHOULD scenarios fail: exit 0, and 1 under --strict.
				if code, out, errOut := runCLI(context.Background(), args...); code != 0 {
					t.Fatalf("exit %d, want 0 (%s)\nstdout:\n%s\nstderr:\n%s", code, reason, out, errOut)
				}
				args = append(args, "--strict")
			}
			code, out, errOut := runCLI(context.Background(), args...)
			if code != 1 {
				t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
			}
			if !strings.Contains(out+errOut, "FAIL [shopware] ") && !strings.Contains(out, "[shopware] root causes:\n    FAIL ") {
				t.Fatalf("no failing scenario named\nstdout:\n%s\nstderr:\n%s", out, errOut)
			}
		})
	}
}

// TestVerifyVerboseSkipLinesGiveTheReason: `verify -v` says why each skipped
// scenario did not run.
func TestVerifyVerboseSkipLinesGiveTheReason(t *testing.T) {
	code, out, errOut := runCLI(context.Background(), "verify", "--profile", "shopware", "-v")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	want := "skip [shopware] Authorization code grant / The code is exchanged for tokens — profile shopware does not support the authorization_code grant"
	if !strings.Contains(out, want) {
		t.Fatalf("want a line %q in:\n%s", want, out)
	}
}

// TestVerifyDemoCredentials: against `oauthconf serve`, --demo-credentials
// stands in for the demo credentials; without it the missing-credential
// error points at the flag.
func TestVerifyDemoCredentials(t *testing.T) {
	target := referenceTarget(t, nil)
	code, out, errOut := runCLI(context.Background(), "verify", "--target", target, "--profile", "shopware", "--test-clock")
	if code != 2 || !strings.Contains(errOut, "--demo-credentials") {
		t.Fatalf("without credentials: exit %d, want 2 with a hint\n%s%s", code, out, errOut)
	}
	code, out, errOut = runCLI(context.Background(), "verify", "--target", target, "--profile", "shopware", "--test-clock", "--demo-credentials")
	if code != 0 {
		t.Fatalf("with --demo-credentials: exit %d\n%s%s", code, out, errOut)
	}
	// An OAUTHCONF_* variable wins over the demo value, as --credential does:
	// a wrong secret so given makes the run fail.
	t.Setenv("OAUTHCONF_CLIENT_SECRET", "wrong-secret-from-env")
	code, out, errOut = runCLI(context.Background(), "verify", "--target", target, "--profile", "shopware", "--test-clock", "--demo-credentials")
	if code != 1 {
		t.Fatalf("with a wrong OAUTHCONF_CLIENT_SECRET: exit %d, want 1 (the variable wins)\n%s%s", code, out, errOut)
	}
}

// TestVerifyAbortIsRecordedInTheReportDir: a run that stops before any
// scenario (exit 2) leaves junit.xml with one errored case and summary.json
// with exit_code 2 and the message, keeps what was already there, and never
// writes secrets.
func TestVerifyAbortIsRecordedInTheReportDir(t *testing.T) {
	closed := hostile.Refused(t)
	cases := []struct {
		description string
		args        []string
		wantMsg     string
	}{
		{"unreachable target", append([]string{"--target", closed, "--profile", "shopware"}, shopwareCreds()...), "connection refused"},
		{"unknown profile", []string{"--target", closed, "--profile", "nosuchvendor"}, "nosuchvendor"},
		{"missing credentials", []string{"--target", closed, "--profile", "shopware", "--credential", "client_secret=hunter2-secret"}, "missing credentials"},
		{"credentials in the target URL", []string{"--target", "http://admin:hunter2-secret@127.0.0.1:1", "--profile", "shopware"}, "must not carry credentials"},
		{"tags matching nothing", []string{"--profile", "shopware", "--tags", "@nosuchtag"}, "no scenario ran"},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			dir := t.TempDir()
			keep := filepath.Join(dir, "load", "earlier.txt")
			if err := os.MkdirAll(filepath.Dir(keep), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(keep, []byte("from an earlier step"), 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := runCLI(context.Background(), append([]string{"verify", "--report-dir", dir}, tc.args...)...)
			if code != 2 {
				t.Fatalf("exit %d, want 2\n%s%s", code, out, errOut)
			}
			var sum struct {
				ExitCode int    `json:"exit_code"`
				Error    string `json:"error"`
			}
			b, err := os.ReadFile(filepath.Join(dir, "conformance", "summary.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &sum); err != nil {
				t.Fatal(err)
			}
			if sum.ExitCode != 2 || !strings.Contains(sum.Error, tc.wantMsg) {
				t.Fatalf("summary.json = %s, want exit_code 2 and an error containing %q", b, tc.wantMsg)
			}
			var ju struct {
				Errors int `xml:"errors,attr"`
				Suites []struct {
					Cases []struct {
						Error *struct {
							Message string `xml:"message,attr"`
						} `xml:"error"`
					} `xml:"testcase"`
				} `xml:"testsuite"`
			}
			jb, err := os.ReadFile(filepath.Join(dir, "junit.xml"))
			if err != nil {
				t.Fatal(err)
			}
			if err := xml.Unmarshal(jb, &ju); err != nil {
				t.Fatal(err)
			}
			if ju.Errors != 1 || len(ju.Suites) != 1 || len(ju.Suites[0].Cases) != 1 || ju.Suites[0].Cases[0].Error == nil ||
				!strings.Contains(ju.Suites[0].Cases[0].Error.Message, tc.wantMsg) {
				t.Fatalf("junit.xml does not hold one errored case naming the problem:\n%s", jb)
			}
			if _, err := os.Stat(keep); err != nil {
				t.Fatalf("a file from an earlier step was lost: %v", err)
			}
			for _, f := range []string{string(b), string(jb), out, errOut} {
				if strings.Contains(f, "hunter2-secret") {
					t.Fatalf("a secret reached the output or reports:\n%s", f)
				}
			}
		})
	}
}
