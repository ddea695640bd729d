// Package useragent is the HTTP user agent of the authorization code and
// implicit flows (RFC 6749 §4.1.1-§4.1.2, §4.2.1-§4.2.2): it sends the
// authorization request and gets through the pages a real authorization
// server puts before its answer — a sign-in form, a consent page, redirects
// carrying cookies and CSRF tokens, an auto-submitting form_post response —
// without a browser and without JavaScript, until the server redirects to the
// client's redirection endpoint (RFC 6749 §3.1.2). It parses HTML with
// golang.org/x/net/html and fills forms as a browser does.
//
// Pages built by JavaScript are out of its reach: it recognises them and says
// so ([ErrScriptPage]). It never follows a redirect, nor submits a form, to an
// origin it was not allowed, so credentials only go where the Config says.
package useragent

import (
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"time"

	"github.com/oauthconf/oauthconf/internal/httpx"
)

// Defaults of Config's limits.
const (
	DefaultMaxHops = 10
	DefaultMaxBody = 1 << 20
	// MaxVisits is how often the same request (method and URL) may be sent
	// between two form submissions, and how often the same form (method and
	// action) may be submitted; one more is a loop ([ErrLoop]). Counting
	// restarts with each submission because servers legitimately resume the
	// very same authorization request after the login and after the consent.
	MaxVisits = 2
)

// Config says who the resource owner is and how far the user agent may go.
// The zero value (apart from the credentials) gets through a plain
// server-rendered sign-in and consent.
type Config struct {
	// Username and Password are the resource owner's credentials. The
	// password is sent as a form value: a caller that prints the hops must
	// give it to its redactor.
	Username, Password string
	// UsernameField and PasswordField name the form inputs the credentials
	// go in. "" finds them: the password field by type=password, the
	// username as the text or email input before it, preferring
	// autocomplete=username and names such as user, login, email.
	UsernameField, PasswordField string
	// Approve names the consent page's submit to press, by its name, value,
	// id or visible text (case-insensitive). "" presses the first submit
	// whose words say approve, allow, accept, authorize, yes, continue,
	// consent, grant or confirm, and never one that says deny, cancel,
	// reject or no. Naming the deny button gets the refusal (access_denied).
	// Either way the consent form's unchecked scope checkboxes are ticked:
	// everything the client asks for is granted.
	Approve string
	// AllowedOrigins lists origins ("https://login.example.com:8443")
	// besides the authorization URL's own where redirects and form
	// submissions may go (a login app on another host, an identity
	// provider). The redirect URI needs no entry: it is never requested.
	AllowedOrigins []string
	// MaxHops bounds the requests of one interaction (DefaultMaxHops if 0).
	MaxHops int
	// MaxBody bounds each response body read, in bytes (DefaultMaxBody if 0).
	MaxBody int64
	// Now is the clock that times the hops (time.Now if nil).
	Now func() time.Time
	// ForgeHidden submits every form with the value of each of its hidden
	// inputs replaced by another of the same length, as a cross-site request
	// forgery that cannot read the page (and so its CSRF token) would send;
	// for checking that the server refuses such a submission (RFC 6749
	// §10.12). [Hop].Forged names the fields changed.
	ForgeHidden bool
}

// Authorize sends a GET to authURL (the complete authorization request) with
// c and walks the answers until one redirects, or navigates, to redirectURI;
// it returns that URL without requesting it. Its query (or fragment) holds
// the authorization response: code and state, an access token, or error and
// error_description — an error response is a result, not an error. When the
// server answers with an auto-submitting form to redirectURI (OIDC
// response_mode=form_post), the form's fields are returned as the URL's query.
//
// Redirects (301, 302, 303, 307, 308) are followed within authURL's origin
// and cfg.AllowedOrigins; a sign-in form is filled from cfg and submitted
// with its hidden fields (an HTTP Basic challenge is answered with them); a consent page's approving submit is pressed; a
// <meta http-equiv=refresh> or a lone form without visible fields is followed
// as a browser would. c itself never follows redirects here (a copy with
// CheckRedirect returning http.ErrUseLastResponse is used) and c is not
// changed; cookies go in c.Jar, or in a fresh cookie jar per call.
//
// onHop, if not nil, is called after every request with its [Hop], in order
// and on the calling goroutine. The last hop of a successful call carries the
// authorization response in its Location (or body): redact the code before
// printing it. Session cookies are in the Cookie and Set-Cookie headers.
//
// Failing to get the response is an [*InteractionError] naming the hop, its
// URL, status and page; ctx bounds the whole interaction. A malformed
// authURL, redirectURI or allowed origin is a plain error. Authorize is safe
// for concurrent use when c is; each call has its own state.
func Authorize(ctx context.Context, c *http.Client, authURL, redirectURI string, cfg Config, onHop func(Hop)) (*url.URL, error) {
	a, start, err := newAgent(c, authURL, redirectURI, cfg, onHop)
	if err != nil {
		return nil, err
	}
	req := &request{method: http.MethodGet, url: start}
	for {
		r, err := a.exchange(ctx, req)
		if err != nil {
			return nil, err
		}
		next, result, err := a.next(r)
		if err != nil || result != nil {
			return result, err
		}
		req = next
	}
}

// agent is the state of one interaction.
type agent struct {
	client   *http.Client // never follows redirects, never uses a jar itself
	jar      http.CookieJar
	cfg      Config
	origins  []httpx.Origin // where requests may go
	redirect *url.URL
	onHop    func(Hop)
	hops     int
	visits   map[string]int        // requests sent since the last form submission
	submits  map[string]int        // forms submitted, by method and action
	sentUser bool                  // a username went to a form
	sentPass bool                  // a password went to a form
	consents int                   // consent pages answered
	basic    map[httpx.Origin]bool // origins that get HTTP Basic credentials
}

func newAgent(c *http.Client, authURL, redirectURI string, cfg Config, onHop func(Hop)) (*agent, *url.URL, error) {
	start, err := url.Parse(authURL)
	if err != nil || (start.Scheme != "http" && start.Scheme != "https") || start.Host == "" {
		return nil, nil, fmt.Errorf("useragent: the authorization URL %q is not an absolute http or https URL", authURL)
	}
	ru, err := url.Parse(redirectURI)
	if err != nil || ru.Scheme == "" {
		return nil, nil, fmt.Errorf("useragent: the redirect URI %q is not an absolute URI (RFC 6749 §3.1.2)", redirectURI)
	}
	origins, err := parseOrigins(cfg.AllowedOrigins)
	if err != nil {
		return nil, nil, err
	}
	if cfg.MaxHops <= 0 {
		cfg.MaxHops = DefaultMaxHops
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if c == nil {
		c = http.DefaultClient
	}
	cc := *c
	cc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	cc.Jar = nil // cookies are added by hand, so that the hops show them
	jar := c.Jar
	if jar == nil {
		jar, _ = cookiejar.New(nil) // never fails with nil options
	}
	a := &agent{client: &cc, jar: jar, cfg: cfg, origins: append(origins, httpx.OriginOf(start)),
		redirect: ru, onHop: onHop, visits: map[string]int{}, submits: map[string]int{}, basic: map[httpx.Origin]bool{}}
	return a, start, nil
}

// allowed reports whether requests may go to u.
func (a *agent) allowed(u *url.URL) bool {
	o := httpx.OriginOf(u)
	for _, ok := range a.origins {
		if o == ok {
			return true
		}
	}
	return false
}
