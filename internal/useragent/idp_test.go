package useragent

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// idp is a test authorization server whose pages are modelled on real ones.
// In "interaction" and "resume" styles (node oidc-provider) /auth answers 303 to
// /interaction/{uid}, which shows the login form, then (a new interaction)
// the consent form; in "keycloak" style /auth answers the kc-form-login page
// itself and its POST redirects to the client. Each form carries a CSRF token
// bound to the interaction's cookie, checked on every POST; the login sets a
// session cookie that later requests must carry.
type idp struct {
	style    string // "interaction" or "keycloak"
	consent  bool   // ask for consent after the login
	formPost bool   // answer with an auto-submitting form instead of a 303 to the client
	// forgetConsent makes the consent never stick (a consent loop).
	forgetConsent bool

	mu        sync.Mutex
	srv       *httptest.Server
	seq       int
	inter     map[string]*interaction
	sessions  map[string]bool
	consented bool
	codes     []string
	passwords int      // how many POSTs carried a password
	requests  []string // "METHOD /path"
}

// interaction is one pending authorization request.
type interaction struct {
	uid, csrf string
	query     url.Values // the authorization request's parameters
	stage     string     // "login" or "consent"
	done      bool
}

const (
	testUser     = "alice"
	testPassword = "correct-horse-battery"
)

func newIDP(t *testing.T, style string, consent, formPost bool) *idp {
	s := &idp{style: style, consent: consent, formPost: formPost, inter: map[string]*interaction{}, sessions: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /auth", func(w http.ResponseWriter, r *http.Request) { s.authorize(w, r, r.URL.Query()) })
	mux.HandleFunc("GET /auth/{uid}", s.resume)
	mux.HandleFunc("GET /interaction/{uid}", s.show)
	mux.HandleFunc("POST /interaction/{uid}/login", s.login)
	mux.HandleFunc("POST /interaction/{uid}/confirm", s.confirm)
	mux.HandleFunc("POST /login-actions/authenticate", s.login)
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests = append(s.requests, r.Method+" "+r.URL.Path)
		s.mu.Unlock()
		w.Header().Set("Cache-Control", "no-store")
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// newSession makes a logged-in session, for the consent-only case.
func (s *idp) newSession() *http.Cookie {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	id := fmt.Sprintf("sess-%d", s.seq)
	s.sessions[id] = true
	return &http.Cookie{Name: "_session", Value: id, Path: "/"}
}

func (s *idp) loggedIn(r *http.Request) bool {
	c, err := r.Cookie("_session")
	return err == nil && s.sessions[c.Value]
}

// authorize is the authorization endpoint: a session and consent give a code.
func (s *idp) authorize(w http.ResponseWriter, r *http.Request, q url.Values) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case !s.loggedIn(r):
		in := s.newInteraction(q, "login")
		if s.style == "keycloak" {
			http.SetCookie(w, &http.Cookie{Name: "AUTH_SESSION_ID", Value: in.uid, Path: "/", HttpOnly: true})
			s.loginPage(w, in, "")
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "_interaction", Value: in.uid, Path: "/interaction/" + in.uid, HttpOnly: true})
		http.SetCookie(w, &http.Cookie{Name: "_interaction_resume", Value: in.uid, Path: "/auth/" + in.uid, HttpOnly: true})
		http.Redirect(w, r, "/interaction/"+in.uid, http.StatusSeeOther)
	case s.consent && !s.consented:
		in := s.newInteraction(q, "consent")
		http.SetCookie(w, &http.Cookie{Name: "_interaction", Value: in.uid, Path: "/interaction/" + in.uid, HttpOnly: true})
		http.SetCookie(w, &http.Cookie{Name: "_interaction_resume", Value: in.uid, Path: "/auth/" + in.uid, HttpOnly: true})
		http.Redirect(w, r, "/interaction/"+in.uid, http.StatusSeeOther)
	default:
		s.seq++
		code := fmt.Sprintf("code-%d-%s", s.seq, "SplxlOBeZQQYbYS6WxSbIA")
		s.codes = append(s.codes, code)
		s.respond(w, r, q.Get("redirect_uri"), url.Values{"code": {code}, "state": {q.Get("state")}})
	}
}

// respond sends the authorization response: a 303 to the client, or a
// form_post page.
func (s *idp) respond(w http.ResponseWriter, r *http.Request, redirectURI string, params url.Values) {
	if !s.formPost {
		http.Redirect(w, r, redirectURI+"?"+params.Encode(), http.StatusSeeOther)
		return
	}
	var inputs strings.Builder
	for k, vs := range params {
		fmt.Fprintf(&inputs, `<input type="hidden" name="%s" value="%s"/>`, html.EscapeString(k), html.EscapeString(vs[0]))
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!DOCTYPE html><html><head><title>Submit This Form</title></head>
<body onload="javascript:document.forms[0].submit()"><form method="post" action="%s">%s
<noscript><p>JavaScript is disabled. Press Continue.</p><input type="submit" value="Continue"/></noscript></form></body></html>`,
		html.EscapeString(redirectURI), inputs.String())
}

func (s *idp) newInteraction(q url.Values, stage string) *interaction {
	s.seq++
	in := &interaction{uid: fmt.Sprintf("u%d", s.seq), csrf: fmt.Sprintf("csrf-%d", s.seq*7919), query: q, stage: stage}
	s.inter[in.uid] = in
	return in
}

// current returns the interaction of the request, checking its cookie (and,
// on a POST, its CSRF token); nil after writing an error page.
func (s *idp) current(w http.ResponseWriter, r *http.Request, cookie string) *interaction {
	uid := r.PathValue("uid")
	if uid == "" {
		uid = r.URL.Query().Get("session_code")
	}
	in := s.inter[uid]
	c, err := r.Cookie(cookie)
	if in == nil || err != nil || c.Value != uid {
		http.Error(w, "session not found (cookie "+cookie+" missing)", http.StatusBadRequest)
		return nil
	}
	if r.Method == http.MethodPost && r.PostFormValue("csrf") != in.csrf {
		http.Error(w, "CSRF token mismatch", http.StatusForbidden)
		return nil
	}
	return in
}

func (s *idp) resume(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	in := s.current(w, r, "_interaction_resume")
	s.mu.Unlock()
	if in == nil {
		return
	}
	s.authorize(w, r, in.query)
}

func (s *idp) show(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.current(w, r, "_interaction")
	switch {
	case in == nil:
	case in.stage == "login":
		s.loginPage(w, in, "")
	default:
		s.consentPage(w, in)
	}
}

// loginPage writes the login form of the idp's style, with an error text.
func (s *idp) loginPage(w http.ResponseWriter, in *interaction, errText string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if s.style == "keycloak" {
		alert := ""
		if errText != "" {
			alert = `<div class="alert-error pf-c-alert pf-m-inline pf-m-danger"><span class="kc-feedback-text">` + html.EscapeString(errText) + `</span></div>`
		}
		fmt.Fprintf(w, `<!DOCTYPE html><html><head><title>Sign in to test</title><script src="/resources/keycloak.js"></script></head><body>
<div id="kc-header"><div id="kc-header-wrapper">TEST</div></div><h1 id="kc-page-title">Sign in to your account</h1>%s
<form id="kc-form-login" onsubmit="login.disabled = true; return true;" action="/login-actions/authenticate?session_code=%s&amp;execution=e1&amp;client_id=app&amp;tab_id=t1" method="post">
<label for="username">Username or email</label><input tabindex="1" id="username" name="username" value="" type="text" autofocus autocomplete="off"/>
<label for="password">Password</label><input tabindex="2" id="password" name="password" type="password" autocomplete="off"/>
<input type="checkbox" id="rememberMe" name="rememberMe"> Remember me
<input type="hidden" id="id-hidden-input" name="credentialId"/><input type="hidden" name="csrf" value="%s"/>
<input tabindex="4" name="login" id="kc-login" type="submit" value="Sign In"/></form>
<a href="/login-actions/reset-credentials">Forgot Password?</a></body></html>`, alert, in.uid, in.csrf)
		return
	}
	flash := ""
	if errText != "" {
		flash = `<p class="error" role="alert">` + html.EscapeString(errText) + `</p>`
	}
	fmt.Fprintf(w, `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Sign-in</title></head><body><div class="login-card">
<h1>Sign-in</h1>%s<form autocomplete="off" action="/interaction/%s/login" method="post">
<input type="hidden" name="csrf" value="%s"/>
<input required type="text" name="login" placeholder="Enter any login" autofocus="on">
<input required type="password" name="password" placeholder="and password">
<button type="submit" class="login login-submit">Sign-in</button></form>
<div class="login-help"><a href="/interaction/%s/abort">[ Cancel ]</a></div></div></body></html>`, flash, in.uid, in.csrf, in.uid)
}

func (s *idp) consentPage(w http.ResponseWriter, in *interaction) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!DOCTYPE html><html><head><title>Authorize</title></head><body><div class="login-card">
<h1>Authorize</h1><p>The client <b>app</b> asks for: openid, profile</p>
<form autocomplete="off" action="/interaction/%s/confirm" method="post">
<input type="hidden" name="csrf" value="%s"/>
<label><input type="checkbox" name="scope" value="openid" checked> openid</label>
<label><input type="checkbox" name="scope" value="offline_access"> offline_access</label>
<label><input type="checkbox" name="remember"> Remember this decision</label>
<button type="submit" name="decision" value="deny">Deny</button>
<button autofocus type="submit" name="decision" value="approve" class="login login-submit">Allow access</button>
</form></div></body></html>`, in.uid, in.csrf)
}

// resumeURL is where the authorization request goes on after a form: its
// own /auth/{uid} (oidc-provider), or the very same authorization request
// (style "resume", as Spring Authorization Server and the reference do).
func (s *idp) resumeURL(in *interaction) string {
	if s.style == "resume" {
		return "/auth?" + in.query.Encode()
	}
	return "/auth/" + in.uid
}

func (s *idp) login(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cookie, userField := "_interaction", "login"
	if s.style == "keycloak" {
		cookie, userField = "AUTH_SESSION_ID", "username"
	}
	in := s.current(w, r, cookie)
	if in == nil {
		return
	}
	if r.PostFormValue("password") != "" {
		s.passwords++
	}
	if r.PostFormValue(userField) != testUser || r.PostFormValue("password") != testPassword {
		s.loginPage(w, in, "Invalid username or password")
		return
	}
	s.seq++
	id := fmt.Sprintf("sess-%d", s.seq)
	s.sessions[id] = true
	http.SetCookie(w, &http.Cookie{Name: "_session", Value: id, Path: "/", HttpOnly: true})
	if s.style == "keycloak" {
		r.AddCookie(&http.Cookie{Name: "_session", Value: id})
		s.mu.Unlock()
		s.authorize(w, r, in.query)
		s.mu.Lock()
		return
	}
	in.done = true
	http.Redirect(w, r, s.resumeURL(in), http.StatusSeeOther)
}

func (s *idp) confirm(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.current(w, r, "_interaction")
	if in == nil {
		return
	}
	if r.PostFormValue("decision") != "approve" {
		http.Redirect(w, r, in.query.Get("redirect_uri")+"?error=access_denied&state="+url.QueryEscape(in.query.Get("state")), http.StatusSeeOther)
		return
	}
	if got := strings.Join(r.PostForm["scope"], " "); got != "openid offline_access" || r.PostForm.Has("remember") {
		http.Error(w, fmt.Sprintf("scopes %q, want every scope ticked, and remember left unticked", got), http.StatusBadRequest)
		return
	}
	s.consented = !s.forgetConsent
	http.Redirect(w, r, s.resumeURL(in), http.StatusSeeOther)
}
