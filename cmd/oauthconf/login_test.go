package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// codeFlowLine matches a verbose result line of a scenario that needs a code
// (or an implicit token) from the authorization endpoint.
var codeFlowLine = regexp.MustCompile(`(?m)^\s+(ok|skip|FAIL|fail)\s+\[rfc6749\] (Authorization code grant|Redirect URI whitelist|PKCE[^/]*|Implicit grant) / .*$`)

// codeFlowLines returns the verbose result lines of the code-flow scenarios.
func codeFlowLines(out string) []string { return codeFlowLine.FindAllString(out, -1) }

// serveLogin starts `serve --test-clock` with login (form or script) and
// returns its URL; the server stops with the test.
func serveLogin(t *testing.T, login string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	base, done := startServe(t, ctx, "--login="+login, "--test-clock")
	t.Cleanup(func() { cancel(); <-done })
	return base
}

// verifyLogin runs verify -v against base with profile and the demo credentials.
func verifyLogin(t *testing.T, base, prof string) (int, string) {
	t.Helper()
	code, out, errOut := runCLI(context.Background(), "verify", "--target", base, "--profile", prof, "--demo-credentials", "--test-clock", "-v")
	return code, out + errOut
}

// TestVerifyLoginPageWithTheBuiltinProfile is issue 12's acceptance: against
// `serve --login --test-clock` the built-in rfc6749 profile, unchanged, exits
// 0 and runs every code-flow scenario through the sign-in and consent pages
// (none skipped as unsupported).
func TestVerifyLoginPageWithTheBuiltinProfile(t *testing.T) {
	code, out := verifyLogin(t, serveLogin(t, "form"), "rfc6749")
	if code != 0 {
		t.Fatalf("exit %d, want 0\n%s", code, out)
	}
	lines := codeFlowLines(out)
	ok := 0
	for _, l := range lines {
		switch {
		case strings.Contains(l, "does not support"):
			t.Errorf("skipped as unsupported: %s", l)
		case strings.HasPrefix(strings.TrimSpace(l), "ok"):
			ok++
		}
	}
	if ok < 20 {
		t.Errorf("%d code-flow scenarios passed, want the whole code flow (20 or more):\n%s", ok, strings.Join(lines, "\n"))
	}
}

// reportBlock matches a not-tested scenario's progress line (-v) and its
// reason.
var reportBlock = regexp.MustCompile(`(?m)^\s*n/t  \[rfc6749\] ([^\n]*?) — ([^\n]*)$`)

// Against `serve --login=script` the HTTP user agent cannot sign in: every
// scenario that needs a code is reported as not tested, naming the hop, the
// page and why, and none is called unsupported.
func TestVerifyScriptLoginPageHTTPModeNamesThePage(t *testing.T) {
	code, out := verifyLogin(t, serveLogin(t, "script"), "rfc6749")
	if code != 0 {
		t.Errorf("exit %d, want 0: not tested scenarios neither pass nor fail a run\n%s", code, out)
	}
	blocks := reportBlock.FindAllStringSubmatch(out, -1)
	for _, b := range blocks {
		for _, want := range []string{"could not obtain a code at hop 2", `(title "Sign in · oauthconf reference")`, "JavaScript"} {
			if !strings.Contains(b[2], want) {
				t.Errorf("%s: %q does not say %q", b[1], b[2], want)
			}
		}
	}
	if len(blocks) < 20 {
		t.Errorf("%d scenarios reported, want every one that needs a code (20 or more):\n%s", len(blocks), out)
	}
	if strings.Contains(out, "ok   [rfc6749] Authorization code grant / Authorization answers 302 with the code in Location") {
		t.Errorf("a code was obtained without JavaScript:\n%s", out)
	}
	if strings.Contains(out, "does not support") {
		t.Errorf("a scenario is called unsupported:\n%s", out)
	}
}

// With authorize.login.mode: browser (a copy of the rfc6749 profile), the
// headless Chromium gets through `serve --login=script`: exit 0, the code
// flow runs as with the form.
func TestVerifyScriptLoginPageBrowserMode(t *testing.T) {
	requireChromium(t)
	src, err := os.ReadFile(filepath.Join("..", "..", "profile", "builtin", "rfc6749.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	const anchor = "  params: {scope: \"${scope}\"}\n"
	if !strings.Contains(string(src), anchor) {
		t.Fatalf("the rfc6749 profile has no line %q to add the login section after", anchor)
	}
	prof := filepath.Join(t.TempDir(), "rfc6749-browser.yaml")
	text := strings.Replace(string(src), anchor, anchor+"  login: {mode: browser}\n", 1)
	if err := os.WriteFile(prof, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out := verifyLogin(t, serveLogin(t, "script"), prof)
	if code != 0 {
		t.Fatalf("exit %d, want 0\n%s", code, out)
	}
	ok := 0
	for _, l := range codeFlowLines(out) {
		if strings.HasPrefix(strings.TrimSpace(l), "ok") {
			ok++
		}
	}
	if ok < 20 {
		t.Errorf("%d code-flow scenarios passed in the browser, want 20 or more:\n%s", ok, out)
	}
}

// requireChromium skips the test under OAUTHCONF_SKIP_BROWSER=1 and fails it
// when no Chromium is found ($OAUTHCONF_CHROMIUM, /usr/bin/chromium, PATH).
func requireChromium(t *testing.T) {
	t.Helper()
	if os.Getenv("OAUTHCONF_SKIP_BROWSER") == "1" {
		t.Skip("OAUTHCONF_SKIP_BROWSER=1: browser test skipped")
	}
	if p := os.Getenv("OAUTHCONF_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("OAUTHCONF_CHROMIUM=%s: %v", p, err)
		}
		return
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return
	}
	if _, err := exec.LookPath("chromium"); err == nil {
		return
	}
	t.Fatal("chromium not found at /usr/bin/chromium or on PATH: install it with scripts/ensure-chromium.sh, or set OAUTHCONF_SKIP_BROWSER=1 to skip this test")
}
