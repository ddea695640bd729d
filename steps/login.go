package steps

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"time"

	"github.com/oauthconf/oauthconf/internal/browser"
	"github.com/oauthconf/oauthconf/internal/useragent"
	"github.com/oauthconf/oauthconf/profile"
)

// How an authorization request through the user agent ended.
type stopKind int

const (
	stopReached  stopKind = iota // the server sent the user agent to the redirect URI
	stopRefused                  // an error status (4xx, 5xx) where the user agent stopped
	stopForeign                  // a redirect (or navigation) outside the allowed origins
	stopNoAnswer                 // a request got no answer (transport, timeout)
	stopStuck                    // a page the user agent could not get through
)

// authAnswer is what one authorization request (RFC 6749 §4.1.1, §4.2.1)
// came to after the user agent's sign-in and consent (§4.1 (B)).
type authAnswer struct {
	ex       *Exchange // the last hop: the redirect to the redirect URI, or where the user agent stopped
	hop      int       // ex's hop number, 1 for the authorization request itself
	location string    // the authorization response (the redirect URI with its query or fragment), if reached
	stop     stopKind
	err      error    // why the redirect URI was not reached (an interaction error), nil if it was
	forged   []string // hidden fields loginOpts.forge changed
	opts     loginOpts
	hops     []*Exchange
}

// loginOpts change the next interaction, for the login.feature checks.
type loginOpts struct {
	password string // replaces the resource owner's password when not ""
	deny     bool   // press the consent page's refusing submit (authorize.login.deny)
	forge    bool   // forge every form's hidden fields (a cross-site request forgery)
}

// interact sends the authorization request authURL as the resource owner's
// user agent (authorize.login: the HTTP one, or a headless browser) and
// stops at the first redirect to redirectURI. Every hop goes into the
// transcript; the password goes to the redactor first, and the response's
// code or token as soon as it is read.
func (s *scenario) interact(ctx context.Context, authURL, redirectURI string) (*authAnswer, error) {
	l := s.t.p.Authorize.Login
	user, _ := s.t.creds.Get(l.UsernameName())
	pw, _ := s.t.creds.Get(l.PasswordName())
	if s.code.login.password != "" {
		pw = s.code.login.password
	}
	s.hidePassword(pw)
	ans := &authAnswer{opts: s.code.login}
	if l != nil && l.Mode == profile.LoginBrowser {
		return ans, s.viaBrowser(ctx, ans, authURL, redirectURI, user, pw)
	}
	cfg := useragent.Config{Username: user, Password: pw, ForgeHidden: s.code.login.forge}
	if l != nil {
		cfg.UsernameField, cfg.PasswordField, cfg.Approve = l.UsernameField, l.PasswordField, l.Approve
		cfg.AllowedOrigins, cfg.MaxHops = l.AllowedOrigins, l.MaxHops
	}
	if s.code.login.deny {
		cfg.Approve = "deny"
		if l != nil && l.Deny != "" {
			cfg.Approve = l.Deny
		}
	}
	ctx, cancel := context.WithTimeout(ctx, loginTimeout(l))
	defer cancel()
	u, err := useragent.Authorize(ctx, s.t.client.hc, authURL, redirectURI, cfg, func(h useragent.Hop) {
		ex := &Exchange{Method: h.Method, URL: h.URL, ReqHeader: h.ReqHeader, ReqBody: h.ReqBody, Status: h.Status,
			StatusText: h.StatusText, RespHeader: h.RespHeader, RespBody: h.RespBody, Duration: h.Duration, Err: h.Err}
		ans.add(s, ex, h.N)
		ans.forged = append(ans.forged, h.Forged...)
	})
	var ie *useragent.InteractionError
	switch {
	case err == nil:
		ans.reached(s, u)
	case !errors.As(err, &ie):
		return ans, fmt.Errorf("the user agent could not start: %w", err)
	default:
		ans.err, ans.stop = err, httpStop(err)
		if ans.hop != ie.Hop {
			ans.hop = ie.Hop // a request refused before it was sent (loop, foreign origin)
		}
	}
	return ans, nil
}

// loginTimeout bounds one interaction.
func loginTimeout(l *profile.Login) time.Duration {
	if l != nil && l.Timeout.Duration > 0 {
		return l.Timeout.Duration
	}
	return browser.DefaultTimeout
}

// httpStop classifies the HTTP user agent's error.
func httpStop(err error) stopKind {
	switch {
	case errors.Is(err, useragent.ErrErrorStatus):
		return stopRefused
	case errors.Is(err, useragent.ErrForeignRedirect):
		return stopForeign
	case errors.Is(err, useragent.ErrNoAnswer):
		return stopNoAnswer
	}
	return stopStuck
}

// viaBrowser is interact in a headless Chromium (authorize.login.mode: browser).
func (s *scenario) viaBrowser(ctx context.Context, ans *authAnswer, authURL, redirectURI, user, pw string) error {
	l := s.t.p.Authorize.Login
	cfg := browser.Config{Username: user, Password: pw, AllowedOrigins: l.AllowedOrigins,
		Timeout: loginTimeout(l), ChromiumPath: s.t.opts.Chromium}
	for _, st := range l.Steps {
		cfg.Steps = append(cfg.Steps, browser.Step{Action: st.Action, Selector: st.Selector, Value: st.Value, URL: st.URL, Timeout: st.Timeout.Duration})
	}
	if s.code.login != (loginOpts{}) {
		// The browser's steps neither deny nor forge, and a failed sign-in
		// there has no kind to tell a refused password from a broken page.
		return errSkip("this check needs the HTTP user agent (authorize.login.mode: http): the browser mode only signs in and approves")
	}
	n := 0
	u, err := browser.Authorize(ctx, authURL, redirectURI, cfg, func(h browser.Hop) {
		n++
		ex := &Exchange{Method: h.Method, URL: h.URL, Status: h.Status, StatusText: fmt.Sprintf("%d %s", h.Status, http.StatusText(h.Status))}
		if h.Title != "" {
			ex.StatusText += fmt.Sprintf(" (title %q)", h.Title)
		}
		if h.Status == 0 {
			ex.Err = errors.New(h.Note)
		}
		ans.add(s, ex, n)
	})
	var ie *browser.InteractionError
	switch {
	case err == nil:
		ans.reached(s, u)
	case errors.Is(err, browser.ErrNoChromium):
		ans.err, ans.stop = err, stopStuck
	case !errors.As(err, &ie):
		return fmt.Errorf("the browser could not start: %w", err)
	case errors.Is(err, browser.ErrOutside):
		ans.err, ans.stop = err, stopForeign
	case ie.Status >= 400:
		ans.err, ans.stop = err, stopRefused
	default:
		ans.err, ans.stop = err, stopStuck
	}
	return nil
}

// add records one hop in the answer and the scenario's transcript.
func (a *authAnswer) add(s *scenario, ex *Exchange, n int) {
	s.exchanges = append(s.exchanges, ex)
	a.hops = append(a.hops, ex)
	a.ex, a.hop = ex, n
}

// reached records the authorization response u: the last hop's Location as
// the server wrote it when it is the redirect to u (the encoding checks read
// it raw), else u itself (a form_post, a browser).
func (a *authAnswer) reached(s *scenario, u *url.URL) {
	a.stop, a.location = stopReached, u.String()
	if loc := a.ex.Header("Location"); loc != "" {
		if ref, err := url.Parse(a.ex.URL); err == nil {
			if abs, err := ref.Parse(loc); err == nil && abs.String() == u.String() {
				a.location = loc
			}
		}
	}
	for _, part := range []string{u.RawQuery, u.Fragment} {
		vals, _ := url.ParseQuery(part)
		for _, k := range []string{"code", "access_token", "refresh_token", "id_token"} {
			s.red.add(vals.Get(k))
		}
	}
}

// hidePassword makes the redactor hide pw (and its form encoding) in full,
// whether or not its credential is declared secret.
func (s *scenario) hidePassword(pw string) {
	if pw == "" {
		return
	}
	s.red.secret(pw)
}

// isHTMLPage reports whether ex answered with an HTML page.
func isHTMLPage(ex *Exchange) bool {
	mt, _, _ := mime.ParseMediaType(ex.Header("Content-Type"))
	return mt == "text/html" || mt == "application/xhtml+xml"
}

// answered returns where the server sent the user agent (the authorization
// response's URL, or a first answer's Location) and the answer to judge.
// The first answer of the server is judged as it is when it is an error
// status, a page that is not HTML or a redirect carrying an authorization
// response; an interaction that could not get through the server's pages is
// not tested (control), naming the hop, URL, status and page — it says
// nothing about the rule.
func (s *scenario) answered() (loc string, ex *Exchange, err error) {
	a := s.code.answer
	if a == nil || a.ex == nil {
		return "", nil, harnessf("no authorization request was sent before this step")
	}
	switch {
	case a.stop == stopReached:
		return a.location, a.ex, nil
	case a.hop == 1 && a.firstAnswer():
		return a.ex.Header("Location"), a.ex, nil
	}
	return "", a.ex, control(a.err)
}

// firstAnswer reports whether the authorization request's own answer is the
// server's verdict rather than the start of an interaction: an error status,
// a body that is not an HTML page, or a redirect away that carries an
// authorization response (code, token or error).
func (a *authAnswer) firstAnswer() bool {
	switch a.stop {
	case stopRefused:
		return true
	case stopForeign:
		_, q, f := splitLocation(a.ex.Header("Location"))
		for _, part := range []string{q, f} {
			p := rawParams(part)
			if p["code"] != "" || p["error"] != "" || p["access_token"] != "" {
				return true
			}
		}
	case stopStuck:
		return a.ex.Status != 0 && !isHTMLPage(a.ex)
	}
	return false
}
