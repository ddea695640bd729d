package browser

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requireChromium returns the browser to test with ($OAUTHCONF_CHROMIUM, else
// the default), skips the test when OAUTHCONF_SKIP_BROWSER=1, and fails it
// (saying how to install it) when Chromium is missing, as
// reports/browser_test.go does.
func requireChromium(t *testing.T) string {
	t.Helper()
	if os.Getenv("OAUTHCONF_SKIP_BROWSER") == "1" {
		t.Skip("OAUTHCONF_SKIP_BROWSER=1: browser test skipped")
	}
	p, err := findChromium(os.Getenv("OAUTHCONF_CHROMIUM"))
	if err != nil {
		t.Fatalf("%v; or set OAUTHCONF_SKIP_BROWSER=1 to skip this test", err)
	}
	return p
}

// isolateBrowser points TMPDIR, where chromedp makes the browser's profile,
// at a fresh directory, and checks after the test that the directory is empty
// and that no process still uses it: the browser left nothing behind.
func isolateBrowser(t *testing.T) string {
	t.Helper()
	// Chromium's socket path must be short: no t.TempDir().
	dir, err := os.MkdirTemp("", "ocb")
	require.NoError(t, err)
	t.Setenv("TMPDIR", dir)
	t.Cleanup(func() {
		defer os.RemoveAll(dir)
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		for _, e := range entries {
			t.Errorf("left in the temporary directory: %s", e.Name())
		}
		assert.Empty(t, processesUsing(dir), "browser processes still running")
	})
	return dir
}

// processesUsing lists the pids of the processes whose command line
// mentions dir.
func processesUsing(dir string) []string {
	entries, _ := os.ReadDir("/proc")
	var found []string
	for _, e := range entries {
		cmdline, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err == nil && bytes.Contains(cmdline, []byte(dir)) {
			found = append(found, e.Name())
		}
	}
	return found
}

// browserEnv reads the environment of the browser's processes, which mention dir.
func browserEnv(t *testing.T, dir string) []byte {
	t.Helper()
	var env []byte
	for _, pid := range processesUsing(dir) {
		b, err := os.ReadFile("/proc/" + pid + "/environ")
		if err == nil {
			env = append(env, b...)
		}
	}
	return env
}

// authorize runs Authorize against srv in a browser isolated in dir,
// collecting the hops. At the first hop it checks that the leak check sees
// the browser's processes, and that the harness's credentials
// (OAUTHCONF_PASSWORD) are not in their environment.
func authorize(t *testing.T, dir string, srv *loginServer, cfg Config) (*url.URL, []Hop, error) {
	t.Helper()
	cfg.ChromiumPath = requireChromium(t)
	t.Setenv("OAUTHCONF_PASSWORD", testPassword)
	var hops []Hop
	var at []time.Duration
	started := time.Now()
	code, err := Authorize(context.Background(), srv.authURL(), srv.redirectURI, cfg, func(h Hop) {
		if len(hops) == 0 {
			assert.NotEmpty(t, processesUsing(dir), "the leak check sees no browser process during the run")
			env := browserEnv(t, dir) // never printed: it would show the password on failure
			assert.True(t, bytes.Contains(env, []byte("TMPDIR="+dir)), "the browser's environment is not readable, or lacks TMPDIR")
			assert.False(t, bytes.Contains(env, []byte(testPassword)), "the browser's environment has the harness's password")
		}
		hops = append(hops, h)
		at = append(at, time.Since(started))
	})
	t.Logf("Authorize took %s; hops:", time.Since(started).Round(time.Millisecond))
	for i, h := range hops {
		t.Logf("  %5dms %s", at[i].Milliseconds(), h)
	}
	assert.Zero(t, srv.callbacks.Load(), "the request to the redirect URI must never be sent")
	for _, h := range hops {
		assert.NotContains(t, h.URL+h.Title+h.Note, testPassword, "a hop shows the password")
	}
	if err != nil {
		assert.NotContains(t, err.Error(), testPassword, "the error shows the password")
	}
	return code, hops, err
}

var credentials = Config{Username: testUser, Password: testPassword}

// explicitSteps get through the test server's pages by their selectors.
var explicitSteps = []Step{
	{Action: ActionFill, Selector: "#username", Value: "{username}"},
	{Action: ActionFill, Selector: "#password", Value: "{password}"},
	{Action: ActionSubmit, Selector: "#password"},
	{Action: ActionWait, Selector: "#approve"},
	{Action: ActionClick, Selector: "#approve"},
	{Action: ActionWaitURL, URL: "/callback"},
}

func TestAuthorizeGetsTheCode(t *testing.T) {
	requireChromium(t)
	consent := []string{"GET /consent OK Authorize", "POST /consent Found "}
	tests := []struct {
		description string
		setup       func(*loginServer)
		steps       []Step
		consent     []string // the consent page's hops
		fragment    bool     // the answer is an access token in the fragment
	}{
		{description: "default steps log in and approve the consent", consent: consent},
		{description: "default steps log in where the consent is remembered", setup: func(s *loginServer) { s.noConsent = true }},
		{description: "explicit steps fill, submit, wait, click and wait for the URL", steps: explicitSteps, consent: consent},
		{description: "an implicit grant's token in the fragment is returned", setup: func(s *loginServer) { s.fragment = true }, consent: consent, fragment: true},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			dir := isolateBrowser(t)
			srv := newLoginServer(t, tc.setup)
			cfg := credentials
			cfg.Steps = tc.steps
			code, hops, err := authorize(t, dir, srv, cfg)
			require.NoError(t, err)
			assert.Equal(t, srv.redirectURI, code.Scheme+"://"+code.Host+code.Path)
			params := code.Query()
			if tc.fragment {
				params, err = url.ParseQuery(code.Fragment)
				require.NoError(t, err)
				assert.Equal(t, testCode, params.Get("access_token"))
			} else {
				assert.Equal(t, testCode, params.Get("code"))
			}
			assert.Equal(t, "st-1", params.Get("state"))

			var got []string
			for _, h := range hops {
				u, err := url.Parse(h.URL)
				require.NoError(t, err)
				got = append(got, strings.Join([]string{h.Method, u.Path, http.StatusText(h.Status), h.Title}, " "))
			}
			want := []string{"GET /authorize OK Sign in", "POST /login Found "}
			want = append(append(want, tc.consent...), "GET /callback  ")
			assert.Equal(t, want, got)
			if assert.NotEmpty(t, hops) {
				assert.Contains(t, hops[len(hops)-1].Note, "redirect URI")
			}
		})
	}
}

func TestAuthorizeFails(t *testing.T) {
	requireChromium(t)
	var foreignHits atomic.Int32
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { foreignHits.Add(1) }))
	t.Cleanup(foreign.Close)
	tests := []struct {
		description string
		setup       func(*loginServer)
		cfg         Config
		want        InteractionError // the fields that are set are compared
		reason      string           // a substring of Reason
	}{
		{
			description: "a wrong password shows the page's error text",
			cfg:         Config{Username: testUser, Password: "wrong-password"},
			want:        InteractionError{Step: 2, Action: "consent", Title: "Sign in", Text: "Invalid username or password."},
			reason:      "the login form came back",
		},
		{
			description: "a wrong password with explicit steps names the step that waited",
			cfg:         Config{Username: testUser, Password: "wrong-password", Steps: withTimeout(explicitSteps, 3, time.Second)},
			want:        InteractionError{Step: 4, Action: `wait "#approve"`, Title: "Sign in", Text: "Invalid username or password."},
			reason:      "no visible element matched within 1s",
		},
		{
			description: "a redirect outside the allowed origins is named",
			setup:       func(s *loginServer) { s.elsewhere = foreign.URL + "/phish" },
			cfg:         credentials,
			want:        InteractionError{Step: 2, Action: "consent"},
			reason:      "outside the allowed origins, to " + foreign.URL + "/phish",
		},
		{
			description: "an error page instead of the login page is named with its status",
			setup:       func(s *loginServer) { s.refuse = true },
			cfg:         credentials,
			want: InteractionError{Step: 1, Action: "login", Title: "Error", Status: http.StatusBadRequest,
				Text: "The redirect_uri is not registered for this client."},
			reason: "the server answered 400 Bad Request",
		},
		{
			description: "a page that never shows the form times out naming the waiting step",
			setup:       func(s *loginServer) { s.never = true },
			// Long enough for Chromium to start on a loaded machine.
			cfg:    Config{Username: testUser, Password: testPassword, Timeout: 6 * time.Second},
			want:   InteractionError{Step: 1, Action: "login", Title: "Sign in", Text: "Sign in to Example Loading…"},
			reason: "timed out after 6s, waiting for a password input",
		},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			dir := isolateBrowser(t)
			srv := newLoginServer(t, tc.setup)
			code, _, err := authorize(t, dir, srv, tc.cfg)
			require.Error(t, err)
			assert.Nil(t, code)
			t.Log(err)
			var ie *InteractionError
			require.ErrorAs(t, err, &ie)
			assert.Contains(t, ie.Reason, tc.reason)
			assert.Equal(t, tc.want.Step, ie.Step)
			assert.Equal(t, tc.want.Action, ie.Action)
			if tc.want.Title != "" {
				assert.Equal(t, tc.want.Title, ie.Title)
			}
			if tc.want.Text != "" {
				assert.Equal(t, tc.want.Text, ie.Text)
			}
			if tc.want.Status != 0 {
				assert.Equal(t, tc.want.Status, ie.Status)
			}
			assert.True(t, strings.HasPrefix(ie.URL, srv.URL), "the error names the page %q", ie.URL)
		})
	}
	assert.Zero(t, foreignHits.Load(), "the foreign origin must never be requested")
}

// withTimeout copies steps, the one at index i with the timeout d.
func withTimeout(steps []Step, i int, d time.Duration) []Step {
	out := append([]Step(nil), steps...)
	out[i].Timeout = d
	return out
}

func TestAuthorizeWithoutChromium(t *testing.T) {
	_, err := Authorize(context.Background(), "http://127.0.0.1:1/authorize", "http://127.0.0.1:1/cb",
		Config{Password: "x-secret", ChromiumPath: "/nonexistent/chromium"}, nil)
	require.ErrorIs(t, err, ErrNoChromium)
	assert.Contains(t, err.Error(), "at /nonexistent/chromium")
	assert.Contains(t, err.Error(), "scripts/ensure-chromium.sh")
	assert.Contains(t, err.Error(), "apt-get install")
}

func TestAuthorizeStopsWithItsContext(t *testing.T) {
	cfg := credentials
	cfg.ChromiumPath = requireChromium(t)
	isolateBrowser(t)
	srv := newLoginServer(t, func(s *loginServer) { s.never = true })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started := time.Now()
	_, err := Authorize(ctx, srv.authURL(), srv.redirectURI, cfg, func(Hop) { cancel() })
	require.ErrorIs(t, err, context.Canceled)
	var ie *InteractionError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "login", ie.Action)
	assert.Contains(t, ie.Reason, "stopped (context canceled) while waiting for a password input")
	assert.Less(t, time.Since(started), DefaultStepTimeout, "Authorize went on after its context ended")
}
