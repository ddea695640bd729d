package reference

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// LoginMode says how the RFC 6749 dialect's authorization endpoint meets the
// resource owner (RFC 6749 §3.1: the server "MUST first verify the identity of
// the resource owner"; the way is out of the RFC's scope).
type LoginMode string

// Login modes.
const (
	// LoginNone takes the demo resource owner as signed in and consenting:
	// GET /oauth2/authorize answers with the code at once (the default).
	LoginNone LoginMode = ""
	// LoginForm puts a server-rendered sign-in form (session cookie, CSRF
	// token) and a consent page in front of the authorization endpoint.
	LoginForm LoginMode = "form"
	// LoginScript is LoginForm with a sign-in page whose form is built by
	// JavaScript when the page loads: only a real browser gets through.
	LoginScript LoginMode = "script"
)

// ParseLoginMode returns the mode called name ("form", "script", or "" for none).
func ParseLoginMode(name string) (LoginMode, error) {
	switch m := LoginMode(strings.TrimSpace(name)); m {
	case LoginNone, LoginForm, LoginScript:
		return m, nil
	}
	return "", fmt.Errorf("unknown login mode %q (known: form, script)", name)
}

// WithLogin makes the RFC 6749 dialect's authorization endpoint ask the
// resource owner to sign in and consent first (see LoginMode).
func WithLogin(m LoginMode) Option { return func(o *options) { o.login = m } }

// Lifetimes of the login flow's state, on the server's clock.
const (
	// SessionTTL is how long a sign-in session lasts (not renewed by use).
	SessionTTL = 8 * time.Hour
	// InteractionTTL is how long a sign-in or consent page may be answered.
	InteractionTTL = 10 * time.Minute
)

// SessionCookie is the name of the sign-in session cookie.
const SessionCookie = "oauthconf_session"

// loginFlow is the sign-in and consent front of the RFC 6749 authorization
// endpoint, in the style of node oidc-provider's /interaction/{uid}:
// GET /oauth2/authorize → 303 /oauth2/interaction/{uid} (sign-in page) → POST
// …/login → 303 back to the authorization request → 303 to a new interaction
// (consent page) → POST …/consent → 303 back again → 302 with the code. Safe
// for concurrent use.
type loginFlow struct {
	d            *rfc6749
	mode         LoginMode
	sessions     *ttlStore[*loginSession]
	interactions *ttlStore[*interaction]
}

// loginSession is a browser's session: anonymous until the resource owner
// signs in. Consents are remembered per client and scope.
type loginSession struct {
	mu        sync.Mutex
	id        string
	user      string
	exp       time.Time
	consents  map[string]bool            // client_id + "\x00" + scope
	satisfied map[string]map[string]bool // authorization query → prompts answered for it
}

func (s *loginSession) expiry() time.Time { return s.exp }

func (s *loginSession) username() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.user
}

func (s *loginSession) consented(clientID, scope string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.consents[clientID+"\x00"+scope]
}

// satisfy records that prompts were answered for the authorization request
// query, so that resuming it does not ask again (prompt=login/consent).
func (s *loginSession) satisfy(query string, prompts ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.satisfied == nil {
		s.satisfied = map[string]map[string]bool{}
	}
	if s.satisfied[query] == nil {
		s.satisfied[query] = map[string]bool{}
	}
	for _, p := range prompts {
		s.satisfied[query][p] = true
	}
}

// takeSatisfied returns and forgets the prompts answered for query.
func (s *loginSession) takeSatisfied(query string) map[string]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.satisfied[query]
	delete(s.satisfied, query)
	return m
}

// interaction is one pending sign-in or consent page.
type interaction struct {
	uid       string
	kind      string // "login" or "consent"
	query     string // the authorization request's raw query, to resume it
	ar        *authzRequest
	csrf      string
	sessionID string   // the browser session it belongs to
	satisfied []string // prompts already answered in this authorization
	exp       time.Time
}

func (i *interaction) expiry() time.Time { return i.exp }

func newLoginFlow(d *rfc6749, mode LoginMode, maxEntries int) *loginFlow {
	return &loginFlow{d: d, mode: mode, sessions: newTTLStore[*loginSession](maxEntries), interactions: newTTLStore[*interaction](maxEntries)}
}

func (l *loginFlow) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /oauth2/interaction/{uid}", l.page)
	mux.HandleFunc("POST /oauth2/interaction/{uid}/login", l.postLogin)
	mux.HandleFunc("POST /oauth2/interaction/{uid}/consent", l.postConsent)
}

func (l *loginFlow) purge(now time.Time) int {
	return l.sessions.purge(now) + l.interactions.purge(now)
}

// session returns the request's live session, or nil.
func (l *loginFlow) session(r *http.Request) *loginSession {
	ck, err := r.Cookie(SessionCookie)
	if err != nil || ck.Value == "" {
		return nil
	}
	s, ok := l.sessions.get(ck.Value)
	if !ok || !l.d.s.now().Before(s.exp) {
		return nil
	}
	return s
}

// newSession stores a session for user ("" for anonymous) and sets its cookie:
// HttpOnly, SameSite=Lax, Secure over TLS, no Max-Age (a browser-session cookie).
func (l *loginFlow) newSession(w http.ResponseWriter, r *http.Request, id, user string, consents map[string]bool) *loginSession {
	now := l.d.s.now()
	if consents == nil {
		consents = map[string]bool{}
	}
	s := &loginSession{id: id, user: user, exp: now.Add(SessionTTL), consents: consents}
	l.sessions.put(id, s, now)
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: id, Path: "/oauth2/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
	return s
}

// resourceOwner returns the signed-in user who consented to ar, or starts the
// sign-in or consent interaction and returns ok false (a 303 was written).
// prompt=login and prompt=consent force the page even within a session;
// prompt=none answers login_required or consent_required instead of a page
// (OpenID Connect Core §3.1.2.1, §3.1.2.6).
func (l *loginFlow) resourceOwner(w http.ResponseWriter, r *http.Request, ar *authzRequest) (user string, ok bool) {
	if u := ar.q.Get("user"); u != "" && l.d.s.has(LoginBypass) {
		if _, known := l.d.users[u]; known {
			return u, true // the defect: a query parameter stands in for signing in
		}
	}
	prompt := map[string]bool{}
	for _, p := range strings.Fields(ar.q.Get("prompt")) {
		prompt[p] = true
	}
	sess := l.session(r)
	var done map[string]bool
	if sess != nil {
		done = sess.takeSatisfied(r.URL.RawQuery)
		user = sess.username()
	}
	needLogin := user == "" || (prompt["login"] && !done["login"])
	needConsent := !needLogin && !l.d.s.has(ConsentSkipped) &&
		(!sess.consented(ar.client.ClientID, ar.scope) || (prompt["consent"] && !done["consent"]))
	switch {
	case !needLogin && !needConsent:
		return user, true
	case prompt["none"] && needLogin:
		l.d.s.redirectError(w, r, ar.redirect, "login_required", "the resource owner is not signed in", ar.state)
		return "", false
	case prompt["none"]:
		l.d.s.redirectError(w, r, ar.redirect, "consent_required", "the resource owner has not consented", ar.state)
		return "", false
	}
	if sess == nil {
		sess = l.newSession(w, r, randHex(32), "", nil)
	}
	it := &interaction{uid: randHex(16), kind: "login", query: r.URL.RawQuery, ar: ar, csrf: randHex(32), sessionID: sess.id, exp: l.d.s.now().Add(InteractionTTL)}
	if done["login"] || !needLogin {
		it.satisfied = []string{"login"}
	}
	if !needLogin {
		it.kind = "consent"
	}
	l.interactions.put(it.uid, it, l.d.s.now())
	seeOther(w, "/oauth2/interaction/"+it.uid)
	return "", false
}

// seeOther answers 303 See Other to location (RFC 9110 §15.4.4).
func seeOther(w http.ResponseWriter, location string) {
	w.Header().Set("Location", location)
	w.WriteHeader(http.StatusSeeOther)
}

// resume sends the browser back to the authorization request of it.
func (l *loginFlow) resume(w http.ResponseWriter, it *interaction) {
	seeOther(w, "/oauth2/authorize?"+it.query)
}

// current returns the live interaction of the request's {uid} that belongs to
// the request's session, or writes an error page.
func (l *loginFlow) current(w http.ResponseWriter, r *http.Request, kind string) (*interaction, *loginSession, bool) {
	it, ok := l.interactions.get(r.PathValue("uid"))
	if !ok || !l.d.s.now().Before(it.exp) || (kind != "" && it.kind != kind) {
		l.errorPage(w, http.StatusBadRequest, "This sign-in request is unknown or expired. Go back to the application and start again.")
		return nil, nil, false
	}
	sess := l.session(r)
	if sess == nil || sess.id != it.sessionID {
		l.errorPage(w, http.StatusBadRequest, "This sign-in request belongs to another browser session. Go back to the application and start again.")
		return nil, nil, false
	}
	return it, sess, true
}

// page serves GET /oauth2/interaction/{uid}: the sign-in or the consent page.
func (l *loginFlow) page(w http.ResponseWriter, r *http.Request) {
	it, _, ok := l.current(w, r, "")
	if !ok {
		return
	}
	if it.kind == "consent" {
		l.consentPage(w, it)
		return
	}
	l.loginPage(w, it, http.StatusOK, "", "")
}

// checkCSRF compares the form's csrf field with the interaction's token.
func (l *loginFlow) checkCSRF(w http.ResponseWriter, r *http.Request, it *interaction) bool {
	if l.d.s.has(CSRFUnchecked) || secretEqual(r.PostFormValue("csrf"), it.csrf) {
		return true
	}
	l.errorPage(w, http.StatusForbidden, "The form expired or was not sent by this page (CSRF token mismatch). Go back to the application and start again.")
	return false
}

// readForm parses a bounded form body.
func readForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("login: read form: %w", err)
	}
	return nil
}

// postLogin serves POST /oauth2/interaction/{uid}/login (username, password,
// csrf). Wrong credentials show the page again with an error; right ones
// rotate the session id (no session fixation) and resume the authorization.
func (l *loginFlow) postLogin(w http.ResponseWriter, r *http.Request) {
	if err := readForm(w, r); err != nil {
		l.errorPage(w, http.StatusBadRequest, "The form could not be read.")
		return
	}
	it, sess, ok := l.current(w, r, "login")
	if !ok || !l.checkCSRF(w, r, it) {
		return
	}
	username := r.PostFormValue("username")
	want, known := l.d.users[username]
	if !known || !secretEqual(r.PostFormValue("password"), want) {
		l.loginPage(w, it, http.StatusOK, username, "Invalid username or password.")
		return
	}
	id := randHex(32)
	if l.d.s.has(SessionFixation) {
		id = sess.id
	} else {
		l.sessions.take(sess.id)
	}
	sess.mu.Lock()
	consents := sess.consents
	if sess.user != username {
		consents = nil // another user's consents are not theirs
	}
	sess.mu.Unlock()
	sess = l.newSession(w, r, id, username, consents)
	sess.satisfy(it.query, append(it.satisfied, "login")...)
	l.interactions.take(it.uid)
	l.resume(w, it)
}

// postConsent serves POST /oauth2/interaction/{uid}/consent (csrf,
// decision=approve|deny). Approval is remembered for the client and scope;
// denial redirects with error=access_denied (RFC 6749 §4.1.2.1, §4.2.2.1).
func (l *loginFlow) postConsent(w http.ResponseWriter, r *http.Request) {
	if err := readForm(w, r); err != nil {
		l.errorPage(w, http.StatusBadRequest, "The form could not be read.")
		return
	}
	it, sess, ok := l.current(w, r, "consent")
	if !ok || !l.checkCSRF(w, r, it) {
		return
	}
	switch r.PostFormValue("decision") {
	case "approve":
		sess.mu.Lock()
		sess.consents[it.ar.client.ClientID+"\x00"+it.ar.scope] = true
		sess.mu.Unlock()
		sess.satisfy(it.query, append(it.satisfied, "consent")...)
		l.interactions.take(it.uid)
		l.resume(w, it)
	case "deny":
		l.interactions.take(it.uid)
		l.d.s.redirectError(w, r, it.ar.redirect, "access_denied", "the resource owner denied the request", it.ar.state)
	default:
		l.errorPage(w, http.StatusBadRequest, "Choose Allow or Deny.")
	}
}

// scopeList splits a scope string for display.
func scopeList(scope string) []string { return strings.Fields(scope) }

// interactionPath is the action URL of an interaction's form.
func interactionPath(it *interaction, step string) string {
	return "/oauth2/interaction/" + url.PathEscape(it.uid) + "/" + step
}
