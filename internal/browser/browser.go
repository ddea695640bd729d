package browser

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/oauthconf/oauthconf/internal/httpx"
	"github.com/oauthconf/oauthconf/internal/redact"
)

// Defaults of [Config] and [Step].
const (
	DefaultTimeout     = 60 * time.Second // a whole run
	DefaultStepTimeout = 10 * time.Second // one step's wait
	DefaultChromium    = "/usr/bin/chromium"
)

// Step actions. A step's value may be "{username}" or "{password}", which are
// replaced by the configured credentials.
const (
	ActionFill    = "fill"     // type Value into the input Selector
	ActionClick   = "click"    // click the element Selector
	ActionWait    = "wait"     // wait until the element Selector is visible
	ActionWaitURL = "wait_url" // wait until the page's URL contains URL, or matches it as a regular expression
	ActionSubmit  = "submit"   // submit the form Selector (or the form of the element Selector)
	ActionLogin   = "login"    // find a password input, fill it and the text or email input before it, submit its form
	ActionConsent = "consent"  // click the approving button of each consent page until the redirect URI is reached
)

// Step is one action of the browser, like one command of the OpenID
// Foundation conformance suite's "browser" block. Selectors are CSS
// selectors. Any step ends the run successfully when the browser reaches the
// redirect URI while it runs.
type Step struct {
	Action   string        // one of the Action constants
	Selector string        // CSS selector for fill, click, wait and submit
	Value    string        // for fill: the text, or "{username}" / "{password}"
	URL      string        // for wait_url: a substring of the URL, or a regular expression
	Timeout  time.Duration // how long the step may wait; DefaultStepTimeout when zero
}

// DefaultSteps is what [Authorize] runs when [Config] has no steps: log in,
// then approve any consent pages.
func DefaultSteps() []Step {
	return []Step{{Action: ActionLogin}, {Action: ActionConsent}}
}

// Config configures one [Authorize] run. The zero value (plus credentials)
// runs headless with the default steps.
type Config struct {
	Username, Password string // the resource owner's credentials; the password never appears in any output

	// Steps are run in order; empty means DefaultSteps.
	Steps []Step

	// AllowedOrigins are origins (https://login.example.com) the browser may
	// visit besides the authorization URL's; a top-level navigation elsewhere
	// ends the run with an *InteractionError. (The redirect URI needs no
	// entry: its request is read and stopped, never sent.)
	AllowedOrigins []string

	Timeout      time.Duration // the whole run, Chromium's start (1–3 s) included; DefaultTimeout when zero
	ChromiumPath string        // DefaultChromium, then "chromium" on PATH, when empty
	Visible      bool          // show a window (needs a display) instead of running headless
	NoSandbox    bool          // pass --no-sandbox; always done when running as root, where Chromium needs it
}

// Hop is one top-level navigation, for the transcript. Status is 0 for a
// request that was stopped before it was sent (Note says why: the redirect
// URI, which carries the code, or an origin that is not allowed). Title is the
// loaded page's title, empty for redirects. The password is redacted.
type Hop struct {
	Method string
	URL    string
	Status int
	Title  string
	Note   string
}

// String reads like: POST http://127.0.0.1:8080/login 302, or GET
// http://127.0.0.1:8080/consent 200 "Authorize", or GET
// http://127.0.0.1:9/cb?code=… (the redirect URI: read, not sent).
func (h Hop) String() string {
	s := h.Method + " " + h.URL
	if h.Status != 0 {
		s += " " + strconv.Itoa(h.Status)
	}
	if h.Title != "" {
		s += ` "` + h.Title + `"`
	}
	if h.Note != "" {
		s += " (" + h.Note + ")"
	}
	return s
}

// Authorize opens authURL, an authorization request (RFC 6749 §4.1.1), in a
// new headless Chromium with an empty profile, runs cfg's steps, and returns
// the URL of the first navigation to redirectURI (same scheme, host, port and
// path; RFC 6749 §4.1.2), which carries the code or the error, or in its
// fragment an implicit grant's token (§4.2.2). That request is never sent.
// onHop, if not nil, is called for every top-level navigation, in order, from
// one goroutine, and never after Authorize returns; the browser waits for it,
// so it should return quickly. The last hop's URL is the redirect, code and
// all: redact it as a credential.
//
// ctx and cfg.Timeout bound the whole run; the browser and its profile are
// removed before Authorize returns. A run that cannot reach the redirect URI
// returns an *InteractionError; a missing browser an error wrapping
// ErrNoChromium. Authorize is safe for concurrent use: each call has its own
// browser.
func Authorize(ctx context.Context, authURL, redirectURI string, cfg Config, onHop func(Hop)) (*url.URL, error) {
	r, err := newRun(authURL, redirectURI, cfg, onHop)
	if err != nil {
		return nil, err
	}
	s, err := startSession(ctx, r)
	if err != nil {
		return nil, err
	}
	defer s.close()
	return s.authorize()
}

// run is the checked input of one Authorize call.
type run struct {
	cfg      Config
	chromium string
	auth     *url.URL
	redirect *url.URL
	origins  []httpx.Origin
	stepList []Step
	timeout  time.Duration
	red      *redact.Redactor // hides every form of the password (see redact.Forms)
	onHop    func(Hop)
}

// newRun checks the input of Authorize and fills in the defaults.
func newRun(authURL, redirectURI string, cfg Config, onHop func(Hop)) (*run, error) {
	auth, err := url.Parse(authURL)
	if err != nil || auth.Host == "" || (auth.Scheme != "http" && auth.Scheme != "https") {
		return nil, fmt.Errorf("browser: authorization URL %q is not an absolute http(s) URL", authURL)
	}
	// A private-use scheme (RFC 8252 §7.1) never reaches the network, where
	// the browser intercepts requests.
	redirect, err := url.Parse(redirectURI)
	if err != nil || redirect.Host == "" || (redirect.Scheme != "http" && redirect.Scheme != "https") {
		return nil, fmt.Errorf("browser: redirect URI %q is not an http(s) URL, which the browser can intercept", redirectURI)
	}
	origins, err := parseOrigins(auth, cfg.AllowedOrigins)
	if err != nil {
		return nil, err
	}
	steps := cfg.Steps
	if len(steps) == 0 {
		steps = DefaultSteps()
	}
	if err := checkSteps(steps, cfg.Password != ""); err != nil {
		return nil, err
	}
	chromium, err := findChromium(cfg.ChromiumPath)
	if err != nil {
		return nil, err
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &run{cfg: cfg, chromium: chromium, auth: auth, redirect: redirect, origins: origins,
		stepList: steps, timeout: timeout, red: redact.New(cfg.Password), onHop: onHop}, nil
}

// checkSteps refuses unknown actions, missing selectors and a missing
// password before a browser starts.
func checkSteps(steps []Step, havePassword bool) error {
	for i, st := range steps {
		usesPassword := st.Action == ActionLogin || (st.Action == ActionFill && strings.Contains(st.Value, "{password}"))
		if usesPassword && !havePassword {
			return fmt.Errorf("browser: step %d (%s) needs a password, and none is configured", i+1, st)
		}
		switch st.Action {
		case ActionFill, ActionClick, ActionWait, ActionSubmit:
			if st.Selector == "" {
				return fmt.Errorf("browser: step %d (%s) needs a selector", i+1, st.Action)
			}
		case ActionWaitURL:
			if st.URL == "" {
				return fmt.Errorf("browser: step %d (%s) needs a URL", i+1, st.Action)
			}
		case ActionLogin, ActionConsent:
		default:
			return fmt.Errorf("browser: step %d: unknown action %q (want fill, click, wait, wait_url, submit, login or consent)", i+1, st.Action)
		}
	}
	return nil
}

// findChromium returns the browser to run: path, else DefaultChromium, else
// chromium on PATH.
func findChromium(path string) (string, error) {
	if path != "" {
		p, err := exec.LookPath(path)
		if err != nil {
			return "", fmt.Errorf("%w at %s (%v): %s", ErrNoChromium, path, err, InstallHint)
		}
		return p, nil
	}
	if _, err := os.Stat(DefaultChromium); err == nil {
		return DefaultChromium, nil
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("%w at %s or on PATH: %s", ErrNoChromium, DefaultChromium, InstallHint)
}
