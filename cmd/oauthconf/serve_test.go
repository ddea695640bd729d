package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/oauthconf/oauthconf/reference"
	"github.com/stretchr/testify/require"
)

// runCLI runs the command line in-process and returns exit code, stdout, stderr.
func runCLI(ctx context.Context, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(ctx, args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestServeFlags(t *testing.T) {
	badConfig := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(badConfig, []byte("shopware:\n  users:\n    - usernme: x\n"), 0o600))
	cases := []struct {
		description string
		args        []string
		wantCode    int
		wantOut     string
		wantErr     string
	}{
		{"list-defects prints one line per defect", []string{"serve", "--list-defects"}, 0, "code-reusable", ""},
		{"print-config prints the demo YAML", []string{"serve", "--print-config"}, 0, "uc-main-store", ""},
		{"unknown defect is a usage error naming it", []string{"serve", "--defect", "nope", "--addr", "127.0.0.1:0"}, 2, "", `unknown defect "nope"`},
		{"bad config names line and field", []string{"serve", "--config", badConfig, "--addr", "127.0.0.1:0"}, 2, "", "line 3: field usernme not found"},
		{"missing config file", []string{"serve", "--config", "/nonexistent/x.yaml"}, 2, "", "no such file"},
		{"unknown flag is a usage error", []string{"serve", "--bogus"}, 2, "", "unknown flag: --bogus"},
		{"unknown command is a usage error", []string{"frobnicate"}, 2, "", "unknown command"},
		{"bad listen address", []string{"serve", "--addr", "256.0.0.1:99999"}, 2, "", "listen on"},
		{"help describes every flag", []string{"serve", "--help"}, 0, "--test-clock", ""},
		{"help describes --login", []string{"serve", "--help"}, 0, "--login string[=\"form\"]", ""},
		{"help describes --signing-alg", []string{"serve", "--help"}, 0, "RS256, PS256, ES256, EdDSA", ""},
		{"list-defects says which need --login", []string{"serve", "--list-defects"}, 0, "[rfc6749; needs --login]", ""},
		{"unknown login mode is a usage error", []string{"serve", "--login=bogus", "--addr", "127.0.0.1:0"}, 2, "", `--login: unknown login mode "bogus" (known: form, script)`},
		{"unknown signing alg is a usage error", []string{"serve", "--signing-alg", "HS512", "--addr", "127.0.0.1:0"}, 2, "", `--signing-alg: "HS512" is not one of RS256, PS256, ES256, EdDSA`},
		{"a login defect without --login is a usage error", []string{"serve", "--defect", "consent-skipped", "--addr", "127.0.0.1:0"}, 2, "", "defect consent-skipped changes nothing without the login mode (serve --login)"},
		{"a signing defect without --signing-alg is a usage error", []string{"serve", "--defect", "kid-unpublished", "--addr", "127.0.0.1:0"}, 2, "", "(serve --signing-alg)"},
		{"the required-PKCE defect without --require-pkce is a usage error", []string{"serve", "--defect", "pkce-required-not-enforced", "--addr", "127.0.0.1:0"}, 2, "", "(serve --require-pkce)"},
		{"list-defects says which need --require-pkce", []string{"serve", "--list-defects"}, 0, "[rfc6749; needs --require-pkce]", ""},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			code, out, errOut := runCLI(context.Background(), tc.args...)
			require.Equal(t, tc.wantCode, code, "stdout: %s\nstderr: %s", out, errOut)
			require.Contains(t, out, tc.wantOut)
			require.Contains(t, errOut, tc.wantErr)
		})
	}
	t.Run("list-defects has a line for every defect", func(t *testing.T) {
		_, out, _ := runCLI(context.Background(), "serve", "--list-defects")
		lines := strings.Split(strings.TrimSpace(out), "\n")
		require.Len(t, lines, len(reference.Defects()))
		for _, l := range lines {
			require.Regexp(t, regexp.MustCompile(`^[a-z0-9-]+ +\S.*`), l)
		}
	})
}

func TestServeAnswersAndStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		code := run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--test-clock", "--defect", "no-cache-headers"}, io.Discard, pw)
		pw.Close()
		done <- code
	}()
	buf := make([]byte, 512)
	n, err := pr.Read(buf)
	require.NoError(t, err)
	m := regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(string(buf[:n]))
	require.NotEmpty(t, m, "startup line: %s", buf[:n])
	go func() { _, _ = io.Copy(io.Discard, pr) }()

	resp, err := http.Post(m+"/api/oauth/token", "application/json", strings.NewReader(`{"grant_type":"client_credentials","client_id":"SWIADEMOINTEGRATION0000001","client_secret":"shopware-demo-integration-secret-2b7c"}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	require.Empty(t, resp.Header.Get("Cache-Control"), "the --defect flag reached the server")
	resp, err = http.Post(m+"/_test/clock", "application/json", strings.NewReader(`{"advance":"1s"}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode, "--test-clock serves /_test/clock")

	cancel()
	select {
	case code := <-done:
		require.Equal(t, 0, code)
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop after its context was cancelled")
	}
}

func TestProfilesCommand(t *testing.T) {
	code, out, _ := runCLI(context.Background(), "profiles")
	require.Equal(t, 0, code)
	for _, n := range []string{"ucommerce", "shopware", "elasticpath", "rfc6749"} {
		require.Contains(t, out, n)
	}
	code, out, _ = runCLI(context.Background(), "profiles", "show", "rfc6749")
	require.Equal(t, 0, code)
	require.Contains(t, out, "name: rfc6749")
	code, _, errOut := runCLI(context.Background(), "profiles", "show", "nope")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "the built-in profiles are elasticpath, rfc6749, shopware, ucommerce")
}

func TestVerifyRefusesWhatWouldPassSilently(t *testing.T) {
	cases := []struct {
		description string
		args        []string
		wantErr     string
	}{
		{"a tag filter that matches nothing", []string{"verify", "--tags", "@no-such-tag"}, `no scenario ran: --tags "@no-such-tag" matches none`},
		{"a misspelled credential name", []string{"verify", "--profile", "rfc6749", "--credential", "client_id_2=x"}, `credential "client_id_2" is not declared by profile rfc6749`},
		{"the same profile twice", []string{"verify", "--profile", "shopware", "--profile", "shopware"}, `are both named "shopware"`},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			code, _, errOut := runCLI(context.Background(), tc.args...)
			require.Equal(t, 2, code, errOut)
			require.Contains(t, errOut, tc.wantErr)
		})
	}
}

// TestVerifyRefusesUnknownRequirementTags: a profile overriding a tag no
// scenario carries (a typo, or a tag renamed since) is refused, not ignored.
func TestVerifyRefusesUnknownRequirementTags(t *testing.T) {
	code, yml, _ := runCLI(context.Background(), "profiles", "show", "rfc6749")
	require.Equal(t, 0, code)
	file := filepath.Join(t.TempDir(), "mine.yaml")
	require.NoError(t, os.WriteFile(file, []byte(yml+"requirements: {rfc7009-2.1: off}\n"), 0o600))
	code, _, errOut := runCLI(context.Background(), "verify", "--profile", file)
	require.Equal(t, 2, code, errOut)
	require.Contains(t, errOut, "no scenario has the tag @rfc7009-2.1")
}

// startServe runs `oauthconf serve args...` in-process until ctx ends and
// returns its base URL and a channel with its exit code.
func startServe(t *testing.T, ctx context.Context, args ...string) (string, <-chan int) {
	t.Helper()
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		code := run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), io.Discard, pw)
		pw.Close()
		done <- code
	}()
	buf := make([]byte, 512)
	n, err := pr.Read(buf)
	require.NoError(t, err)
	m := regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(string(buf[:n]))
	require.NotEmpty(t, m, "startup line: %s", buf[:n])
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	return m, done
}

// TestServeLoginAndSigningModes: --login (alone: the form), --login=script and
// --signing-alg reach the server: the authorization request answers with the
// sign-in page, and the JWKS is served.
func TestServeLoginAndSigningModes(t *testing.T) {
	cases := []struct {
		description string
		args        []string
		wantForm    bool
	}{
		{"--login alone is the server-rendered form", []string{"--login", "--signing-alg", "ES256"}, true},
		{"--login=script builds the form with JavaScript", []string{"--login=script", "--signing-alg", "EdDSA"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			base, done := startServe(t, ctx, tc.args...)
			c := noRedirects()
			resp := getClosed(t, c, base+confAuthorize)
			require.Equal(t, http.StatusSeeOther, resp.StatusCode)
			req, _ := http.NewRequest(http.MethodGet, base+resp.Header.Get("Location"), nil)
			req.Header.Set("Cookie", strings.SplitN(resp.Header.Get("Set-Cookie"), ";", 2)[0])
			resp, err := c.Do(req)
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
			require.Equal(t, tc.wantForm, strings.Contains(string(body), "<form"), string(body))
			require.Equal(t, http.StatusOK, getClosed(t, c, base+"/oauth2/jwks").StatusCode)
			stopServe(t, cancel, done)
		})
	}
}

// TestServeRequirePKCE: --require-pkce reaches the server: a confidential
// client's authorization request without a code_challenge is refused
// (invalid_request in the redirect), where without the flag it gets a code.
func TestServeRequirePKCE(t *testing.T) {
	cases := []struct {
		description string
		args        []string
		want        string // "code" or the redirect's error
	}{
		{"without --require-pkce the confidential client gets a code", nil, "code"},
		{"with --require-pkce it needs a challenge", []string{"--require-pkce"}, "invalid_request"},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			base, done := startServe(t, ctx, tc.args...)
			c := noRedirects()
			resp := getClosed(t, c, base+confAuthorize)
			require.Equal(t, http.StatusFound, resp.StatusCode)
			loc, err := url.Parse(resp.Header.Get("Location"))
			require.NoError(t, err)
			got := loc.Query().Get("error")
			if loc.Query().Get("code") != "" {
				got = "code"
			}
			require.Equal(t, tc.want, got, "Location: %s", loc)
			stopServe(t, cancel, done)
		})
	}
}

// confAuthorize is conf-client's authorization request (no code_challenge).
const confAuthorize = "/oauth2/authorize?response_type=code&client_id=conf-client&redirect_uri=https%3A%2F%2Fclient.example.test%2Fcallback&state=s"

// noRedirects returns a client that hands redirects back instead of following them.
func noRedirects() *http.Client {
	return &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// stopServe cancels serve's context and waits for it to exit 0.
func stopServe(t *testing.T, cancel context.CancelFunc, done <-chan int) {
	t.Helper()
	cancel()
	select {
	case code := <-done:
		require.Equal(t, 0, code)
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop after its context was cancelled")
	}
}

// getClosed GETs u with c and returns the response, its body closed.
func getClosed(t *testing.T, c *http.Client, u string) *http.Response {
	t.Helper()
	resp, err := c.Get(u)
	require.NoError(t, err)
	resp.Body.Close()
	return resp
}
