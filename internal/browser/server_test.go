package browser

import (
	"crypto/rand"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
)

// Credentials of the test server's one user.
const (
	testUser     = "alice"
	testPassword = "wonderland-Secret-42"
	testCode     = "code-8f3a"
)

// loginServer is an authorization server whose login page builds its form
// with a script (no form in the HTML), with a session cookie and a CSRF
// token, then a consent page, then a 302 to the client's redirect URI, which
// it does not serve: a request there is counted, and must never come.
type loginServer struct {
	*httptest.Server
	redirectURI string
	// elsewhere, when set, is where approving the consent sends the browser.
	elsewhere string
	// never makes the login page's script never build the form.
	never bool
	// refuse makes the authorization endpoint answer with an error page, as
	// for an unregistered redirect URI (RFC 6749 §4.1.2.1).
	refuse bool
	// fragment answers in the fragment, as the implicit grant does (RFC 6749 §4.2.2).
	fragment bool
	// noConsent sends the browser from the login straight to the redirect
	// URI, as a server that remembers the consent does.
	noConsent bool

	callbacks atomic.Int32 // requests to the redirect URI

	mu       sync.Mutex
	sessions map[string]*testSession
}

type testSession struct {
	csrf     string
	query    url.Values // the authorization request's
	loggedIn bool
}

// newLoginServer starts the server on 127.0.0.1; setup may change its
// fields before the first request.
func newLoginServer(t *testing.T, setup func(*loginServer)) *loginServer {
	t.Helper()
	s := &loginServer{sessions: map[string]*testSession{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /authorize", s.authorize)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("GET /consent", s.consentPage)
	mux.HandleFunc("POST /consent", s.consent)
	mux.HandleFunc("/callback", func(w http.ResponseWriter, r *http.Request) {
		s.callbacks.Add(1)
		http.Error(w, "the redirect URI must not be requested", http.StatusTeapot)
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	s.redirectURI = s.URL + "/callback"
	if setup != nil {
		setup(s)
	}
	return s
}

// authURL is an authorization request (RFC 6749 §4.1.1).
func (s *loginServer) authURL() string {
	q := url.Values{"response_type": {"code"}, "client_id": {"web"}, "redirect_uri": {s.redirectURI}, "state": {"st-1"}}
	return s.URL + "/authorize?" + q.Encode()
}

func (s *loginServer) session(r *http.Request) *testSession {
	c, err := r.Cookie("sid")
	if err != nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions[c.Value]
}

// authorize starts a session and shows the login page.
func (s *loginServer) authorize(w http.ResponseWriter, r *http.Request) {
	if s.refuse {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `<!doctype html><title>Error</title><h1>Bad request</h1>`+
			`<p class="error">The redirect_uri is not registered for this client.</p>`)
		return
	}
	sid, csrf := rand.Text(), rand.Text()
	s.mu.Lock()
	s.sessions[sid] = &testSession{csrf: csrf, query: r.URL.Query()}
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: sid, Path: "/", HttpOnly: true})
	s.loginPage(w, csrf, "")
}

// loginPage has no form: its script builds one after a moment.
func (s *loginServer) loginPage(w http.ResponseWriter, csrf, problem string) {
	build := "setTimeout(build, 300);"
	if s.never {
		build = ""
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!doctype html><html><head><title>Sign in</title></head><body>
<h1>Sign in to Example</h1>%s<div id="app">Loading…</div>
<script>
function build() {
	const f = document.createElement('form');
	f.method = 'post'; f.action = '/login';
	f.innerHTML = '<label>User <input id="username" name="username" autocomplete="username"></label>' +
		'<label>Password <input id="password" name="password" type="password"></label>' +
		'<input type="hidden" name="csrf" value="%s">' +
		'<button type="submit">Sign in</button>';
	const app = document.getElementById('app');
	app.textContent = '';
	app.appendChild(f);
}
%s
</script></body></html>`, problem, html.EscapeString(csrf), build)
}

// login checks the cookie, the CSRF token and the credentials.
func (s *loginServer) login(w http.ResponseWriter, r *http.Request) {
	sess := s.session(r)
	if sess == nil || r.PostFormValue("csrf") != sess.csrf {
		http.Error(w, "missing session or CSRF token", http.StatusBadRequest)
		return
	}
	if r.PostFormValue("username") != testUser || r.PostFormValue("password") != testPassword {
		s.loginPage(w, sess.csrf, `<p class="error" role="alert">Invalid username or password.</p>`)
		return
	}
	s.mu.Lock()
	sess.loggedIn = true
	s.mu.Unlock()
	if s.noConsent {
		s.redirectWithCode(w, r, sess)
		return
	}
	http.Redirect(w, r, "/consent", http.StatusFound)
}

func (s *loginServer) consentPage(w http.ResponseWriter, r *http.Request) {
	sess := s.session(r)
	if sess == nil || !sess.loggedIn {
		http.Error(w, "not logged in", http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!doctype html><html><head><title>Authorize</title></head><body>
<p>Example app wants to read your profile.</p>
<form method="post" action="/consent"><input type="hidden" name="csrf" value="%s">
<button name="decision" value="deny">Deny</button>
<button id="approve" name="decision" value="allow">Allow</button></form></body></html>`, html.EscapeString(sess.csrf))
}

// consent redirects to the redirect URI with the code, or elsewhere.
func (s *loginServer) consent(w http.ResponseWriter, r *http.Request) {
	sess := s.session(r)
	if sess == nil || !sess.loggedIn || r.PostFormValue("csrf") != sess.csrf || r.PostFormValue("decision") != "allow" {
		http.Error(w, "consent refused", http.StatusForbidden)
		return
	}
	if s.elsewhere != "" {
		http.Redirect(w, r, s.elsewhere, http.StatusFound)
		return
	}
	s.redirectWithCode(w, r, sess)
}

// redirectWithCode is the authorization response (RFC 6749 §4.1.2).
func (s *loginServer) redirectWithCode(w http.ResponseWriter, r *http.Request, sess *testSession) {
	q := url.Values{"code": {testCode}, "state": {sess.query.Get("state")}}
	sep := "?"
	if s.fragment {
		q = url.Values{"access_token": {testCode}, "token_type": {"Bearer"}, "state": {sess.query.Get("state")}}
		sep = "#"
	}
	http.Redirect(w, r, sess.query.Get("redirect_uri")+sep+q.Encode(), http.StatusFound)
}
