package steps

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/oauthconf/oauthconf/internal/useragent"
)

// registerLogin adds the sign-in and consent steps (RFC 6749 §3.1, §4.1 (B),
// §10.12): the server's own pages driven as the resource owner's user agent
// (login.go). Feature: login.feature.
func registerLogin(sc stepper) {
	sc.Step(`^the client requests authorization naming the resource owner, who gives a wrong password$`, wrap(theClientRequestsAuthorizationNamingTheResourceOwnerWhoGivesAWrongPassword))
	sc.Step(`^the resource owner signs in and denies consent$`, wrap(theResourceOwnerSignsInAndDeniesConsent))
	sc.Step(`^the resource owner signs in with forged hidden form fields$`, wrap(theResourceOwnerSignsInWithForgedHiddenFormFields))
	sc.Step(`^the resource owner signs in$`, wrap(theResourceOwnerSignsIn))
	sc.Step(`^no code is issued$`, wrap(noCodeIsIssued))
	sc.Step(`^the session cookie set before the sign-in is replaced$`, wrap(theSessionCookieSetBeforeTheSignInIsReplaced))
}

// requestAs sends the main client's authorization request with opts for
// the interaction; extra are more query parameters.
func (s *scenario) requestAs(ctx context.Context, opts loginOpts, extra url.Values) error {
	ru, err := s.redirectURI()
	if err != nil {
		return err
	}
	s.code.login = opts
	defer func() { s.code.login = loginOpts{} }()
	_, err = s.authorize(ctx, s.mainClient().id, ru, "code", "st-"+randomString(6), extra)
	return err
}

func theClientRequestsAuthorizationNamingTheResourceOwnerWhoGivesAWrongPassword(ctx context.Context) error {
	s := fromCtx(ctx)
	user, _ := s.t.creds.Get(s.t.p.Authorize.Login.UsernameName())
	if user == "" {
		return errSkip("no resource owner: set the %s credential", s.t.p.Authorize.Login.UsernameName())
	}
	// Parameters a server might take for the user: none of them is a sign-in.
	named := url.Values{"user": {user}, "username": {user}, "login_hint": {user}}
	return s.requestAs(ctx, loginOpts{password: "not-the-password-" + randomString(6)}, named)
}

func theResourceOwnerSignsInAndDeniesConsent(ctx context.Context) error {
	return fromCtx(ctx).requestAs(ctx, loginOpts{deny: true}, nil)
}

func theResourceOwnerSignsInWithForgedHiddenFormFields(ctx context.Context) error {
	return fromCtx(ctx).requestAs(ctx, loginOpts{forge: true}, nil)
}

func theResourceOwnerSignsIn(ctx context.Context) error {
	return fromCtx(ctx).requestAs(ctx, loginOpts{}, nil)
}

// noCodeIsIssued passes when the interaction ended without a code: an error
// redirect, an error status, or the sign-in form coming back. A code (or
// token) at any hop is the failure; a page the user agent could not get
// through is not tested.
func noCodeIsIssued(ctx context.Context) error {
	s := fromCtx(ctx)
	a := s.code.answer
	if a == nil || a.ex == nil {
		return harnessf("no authorization request was sent before this step")
	}
	if a.opts.forge && len(a.forged) == 0 {
		return errSkip("the server's forms have no hidden field, so no CSRF token to forge: it may protect them otherwise (SameSite cookies, Origin checks), which this check cannot see")
	}
	switch {
	case a.stop == stopReached:
		_, q, f := splitLocation(a.location)
		if rawParams(q)["code"] != "" || rawParams(f)["access_token"] != "" || rawParams(f)["code"] != "" {
			return failf("the authorization server issued a code at hop %d %s: %s", a.hop, a.opts.why(a.forged), s.red.text(a.location))
		}
		return nil
	case a.stop == stopRefused, errors.Is(a.err, useragent.ErrWrongCredentials):
		return nil
	}
	return control(a.err)
}

// why says what the interaction did that should have got no code, and the rule.
func (o loginOpts) why(forged []string) string {
	switch {
	case o.password != "":
		return "although the resource owner gave a wrong password, only being named in the request (user, username, login_hint); " +
			"RFC 6749 §3.1: the authorization server MUST first verify the identity of the resource owner"
	case o.deny:
		return "although the resource owner denied consent (or was never asked); RFC 6749 §10.12: a client MUST NOT obtain " +
			"authorization without the awareness and explicit consent of the resource owner"
	case o.forge:
		return "for forms submitted with forged hidden fields (" + strings.Join(forged, ", ") + "), as a cross-site request forgery would; " +
			"RFC 6749 §10.12: the authorization server MUST implement CSRF protection for its authorization endpoint"
	}
	return ""
}

// theSessionCookieSetBeforeTheSignInIsReplaced checks that no request after
// the sign-in (the hop that posted the password) carries a session cookie
// with the value the server set before it (session fixation; OWASP ASVS
// 3.2.1: a new session token on authentication).
func theSessionCookieSetBeforeTheSignInIsReplaced(ctx context.Context) error {
	s := fromCtx(ctx)
	a := s.code.answer
	if a == nil || a.ex == nil {
		return harnessf("no authorization request was sent before this step")
	}
	if a.stop != stopReached {
		return control(a.err)
	}
	signIn := -1
	for i, ex := range a.hops {
		if ex.Method == http.MethodPost && a.postsPassword(s, ex) {
			signIn = i
			break
		}
	}
	if signIn < 0 {
		return errSkip("no hop posted the password: the resource owner was not asked to sign in")
	}
	before := map[string]string{}
	for _, ex := range a.hops[:signIn] {
		for _, c := range (&http.Response{Header: ex.RespHeader}).Cookies() {
			if s.isSessionCookie(c.Name) {
				before[c.Name] = c.Value
			}
		}
	}
	if len(before) == 0 {
		return errSkip("the server set no session cookie (%s) before the sign-in, so none can be fixed", s.sessionCookieRule())
	}
	for _, ex := range a.hops[signIn+1:] {
		req := http.Request{Header: ex.ReqHeader}
		for _, c := range req.Cookies() {
			if v, ok := before[c.Name]; ok && v == c.Value {
				return failf("after the sign-in (hop %d) the user agent still sends the session cookie %s the server set before it: the session id is not renewed on authentication (session fixation; OWASP ASVS 3.2.1)", signIn+1, c.Name)
			}
		}
	}
	return nil
}

// postsPassword reports whether ex submitted the resource owner's password.
func (a *authAnswer) postsPassword(s *scenario, ex *Exchange) bool {
	pw, _ := s.t.creds.Get(s.t.p.Authorize.Login.PasswordName())
	if pw == "" {
		return false
	}
	vals, err := url.ParseQuery(string(ex.ReqBody))
	if err != nil {
		return strings.Contains(string(ex.ReqBody), pw)
	}
	for _, vs := range vals {
		for _, v := range vs {
			if v == pw {
				return true
			}
		}
	}
	return false
}

// isSessionCookie reports whether name is the profile's session cookie
// (authorize.login.session_cookie), or by default contains "sess".
func (s *scenario) isSessionCookie(name string) bool {
	if want := s.t.p.Authorize.Login.SessionCookie; want != "" {
		return name == want
	}
	return strings.Contains(strings.ToLower(name), "sess")
}

func (s *scenario) sessionCookieRule() string {
	if want := s.t.p.Authorize.Login.SessionCookie; want != "" {
		return "authorize.login.session_cookie " + want
	}
	return `a cookie whose name contains "sess"; name it with authorize.login.session_cookie`
}
