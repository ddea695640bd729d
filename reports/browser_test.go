package reports

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chromiumPath is where Debian's chromium package installs the browser.
const chromiumPath = "/usr/bin/chromium"

// chromiumTimeout bounds every chromium invocation.
const chromiumTimeout = 90 * time.Second

// findChromium returns the browser ($OAUTHCONF_CHROMIUM, else /usr/bin/chromium,
// else chromium on PATH), skips the test when OAUTHCONF_SKIP_BROWSER=1, and fails
// it (with how to install it) when chromium is missing.
func findChromium(t *testing.T) string {
	t.Helper()
	if os.Getenv("OAUTHCONF_SKIP_BROWSER") == "1" {
		t.Skip("OAUTHCONF_SKIP_BROWSER=1: browser test skipped")
	}
	if p := os.Getenv("OAUTHCONF_CHROMIUM"); p != "" { // another build of the browser
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("OAUTHCONF_CHROMIUM=%s: %v", p, err)
		}
		return p
	}
	if _, err := os.Stat(chromiumPath); err == nil {
		return chromiumPath
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	t.Fatalf("chromium not found at %s or on PATH: the report's browser test needs it. "+
		"Install it with scripts/ensure-chromium.sh (or: sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium), "+
		"or set OAUTHCONF_SKIP_BROWSER=1 to skip this test", chromiumPath)
	return ""
}

// artifactsDir is $OAUTHCONF_ARTIFACTS, or reports/out/test-artifacts (gitignored):
// the screenshots and pages stay there after the test for people to look at.
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("OAUTHCONF_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("out", "test-artifacts")
	}
	dir, err := filepath.Abs(dir)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
}

// chromium runs headless chromium on a file with extra args and returns stdout.
func chromium(t *testing.T, bin, page string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), chromiumTimeout)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, bin, append(append(base, args...), "file://"+page)...)
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("chromium did not finish within %s; stderr:\n%s", chromiumTimeout, tail(stderr.String(), 2000))
	}
	require.NoError(t, err, "chromium %v failed; stderr:\n%s", args, tail(stderr.String(), 2000))
	return stdout.String()
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// writePage renders the run in dir into artifacts/name, optionally edited.
func writePage(t *testing.T, dir, path string, edit func(string) string) {
	t.Helper()
	run, _ := build(t, dir)
	var b bytes.Buffer
	require.NoError(t, run.WriteHTML(&b))
	html := b.String()
	if edit != nil {
		html = edit(html)
	}
	require.NoError(t, os.WriteFile(path, []byte(html), 0o644))
}

var scriptErrors = regexp.MustCompile(`(?s)<pre id="script-errors"[^>]*>(.*?)</pre>`)

func TestReportInBrowser(t *testing.T) {
	bin := findChromium(t)
	art := artifactsDir(t)

	cases := []struct {
		description string
		dir         string
		name        string
		edit        func(string) string
		charts      int
		wantErrors  bool
		wantText    []string
	}{
		{
			description: "the report of a verify and load run renders with its matrix and plots",
			dir:         "testdata/run", name: "report-run", charts: 12,
			wantText: []string{`<table id="matrix">`, "1 of 2 MUST checks pass for profile ucommerce", "Authorization: Basic [REDACTED]"},
		},
		{
			description: "the header names the run and the root causes come first",
			dir:         "testdata/outcomes", name: "report-outcomes", charts: 0,
			wantText: []string{`<dd id="run-label">nightly #412</dd>`, `<dd id="run-date">2026-11-22 23:00:00 UTC</dd>`,
				`<dd id="run-version">oauthconf v1.4.0</dd>`, "Root causes", "invalid_grant answered with HTTP 401: 2 scenarios",
				"not tested: could not obtain a code", "400 req/s meets the SLO; 800 req/s missed it", "none of 100 responses was a valid token response"},
		},
		{
			description: "expected failures are listed with their status and reason",
			dir:         "testdata/expected", name: "report-expected", charts: 0,
			wantText: []string{`<table id="expected-failures">`, "unexpectedly passing: gates under --strict; remove the entry",
				"expired on 2020-01-01: gates again", "expected failure: SHOP-42, fixed in 6.7 (until 2027-03-31)", `<dd id="run-label">nightly #413</dd>`},
		},
		{
			description: "bad input files show their notices",
			dir:         "testdata/bad", name: "report-bad", charts: 4,
			wantText: []string{"could not read load/truncated/results.bin:", "could not read conformance/broken/cucumber.json:"},
		},
		{
			description: "the report of a verify that stopped before any scenario renders its error",
			dir:         "testdata/aborted", name: "report-aborted", charts: 0,
			wantText: []string{"VERIFY DID NOT RUN", "connection refused by 127.0.0.1:9", "Bearer [REDACTED]"},
		},
		{
			// The check must be able to fail: a page with a broken script is caught.
			description: "a script error is caught",
			dir:         "testdata/run", name: "report-script-error", charts: 12, wantErrors: true,
			edit: func(s string) string {
				return strings.Replace(s, "</body>", "<script>thisFunctionDoesNotExist();</script></body>", 1)
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			page := filepath.Join(art, tc.name+".html")
			writePage(t, tc.dir, page, tc.edit)
			dom := chromium(t, bin, page, "--dump-dom")
			require.NoError(t, os.WriteFile(filepath.Join(art, tc.name+".dom.html"), []byte(dom), 0o644))

			m := scriptErrors.FindStringSubmatch(dom)
			require.NotNil(t, m, "the dumped DOM has no #script-errors element:\n%s", tail(dom, 1000))
			if tc.wantErrors {
				assert.Contains(t, m[1], "thisFunctionDoesNotExist")
				assert.Contains(t, dom, `<span id="render-status">script-error</span>`)
				return
			}
			assert.Empty(t, strings.TrimSpace(m[1]), "script errors in the page")
			assert.Contains(t, dom, `<span id="render-status">rendered-ok</span>`, "the page's script did not finish")
			assert.Contains(t, dom, `data-rendered="ok"`)
			assert.Equal(t, tc.charts, strings.Count(dom, `<svg class="chart"`), "charts in the rendered DOM")
			assert.Contains(t, dom, `data-charts="`+itoa(tc.charts)+`"`, "charts the browser sees (querySelectorAll)")
			for _, w := range tc.wantText {
				assert.Contains(t, dom, htmlText(w))
			}

			shot := filepath.Join(art, tc.name+".png")
			os.Remove(shot)
			chromium(t, bin, page, "--screenshot="+shot, "--window-size=1400,2000", "--hide-scrollbars")
			png, err := os.ReadFile(shot)
			require.NoError(t, err, "no screenshot written")
			assert.True(t, bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")), "the screenshot is not a PNG")
			assert.Greater(t, len(png), 20_000, "the screenshot is suspiciously small (blank page?)")
			t.Logf("screenshot: %s", shot)
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// htmlText is how chromium serialises s in the DOM: only the markup characters of
// text nodes are escaped, so strings with tags pass as they are.
func htmlText(s string) string {
	if strings.HasPrefix(s, "<") {
		return s
	}
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
