package reference

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
)

// browser is a user agent for the login flow: a cookie jar, and redirects
// followed one hop at a time so that each can be checked.
type browser struct {
	t   *testing.T
	ts  *testServer
	c   *http.Client
	jar *cookiejar.Jar
}

func (ts *testServer) newBrowser() *browser {
	ts.t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(ts.t, err)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &browser{t: ts.t, ts: ts, c: c, jar: jar}
}

// page is one response, its HTML parsed when it has any.
type page struct {
	status int
	header http.Header
	body   string
	url    *url.URL
	doc    *html.Node
}

func (b *browser) do(method, target string, form url.Values) page {
	b.t.Helper()
	u, err := url.Parse(target)
	require.NoError(b.t, err)
	if !u.IsAbs() {
		u, _ = url.Parse(b.ts.URL + target)
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	r, err := http.NewRequest(method, u.String(), body)
	require.NoError(b.t, err)
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.c.Do(r)
	require.NoError(b.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	require.NoError(b.t, err)
	p := page{status: resp.StatusCode, header: resp.Header, body: string(raw), url: u}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		p.doc, err = html.Parse(strings.NewReader(p.body))
		require.NoError(b.t, err)
	}
	return p
}

func (b *browser) get(target string) page { return b.do(http.MethodGet, target, nil) }

// location resolves p's Location header against its URL.
func (p page) location(t *testing.T) *url.URL {
	t.Helper()
	loc, err := p.url.Parse(p.header.Get("Location"))
	require.NoError(t, err, "Location %q", p.header.Get("Location"))
	return loc
}

// follow follows redirects on the server's origin and returns the first page,
// or the redirect that leaves the server (to the client's redirect_uri).
func (b *browser) follow(p page) page {
	b.t.Helper()
	for hops := 0; p.status >= 300 && p.status < 400; hops++ {
		require.Less(b.t, hops, 10, "redirect loop at %s", p.url)
		loc := p.location(b.t)
		if loc.Host != p.url.Host {
			return p
		}
		p = b.get(loc.String())
	}
	return p
}

// authorize starts an authorization request of conf-client and follows it.
func (b *browser) authorize(extra url.Values) page {
	b.t.Helper()
	return b.follow(b.get(rfcAuthorizePath(extra)))
}

func rfcAuthorizePath(extra url.Values) string {
	q := url.Values{"client_id": {rfcID}, "redirect_uri": {rfcURI}, "response_type": {"code"}, "state": {"s1"}, "scope": {"read"}}
	for k, v := range extra {
		q[k] = v
	}
	return "/oauth2/authorize?" + q.Encode()
}

// htmlForm is a form found in a page: its fields, and its submit buttons.
type htmlForm struct {
	method, action string
	fields         url.Values
	types          map[string]string // input name → type
	buttons        []url.Values      // name=value of each submit button
}

// form returns the first <form> of p, or nil.
func (p page) form() *htmlForm {
	var f *htmlForm
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch {
			case n.Data == "form" && f == nil:
				f = &htmlForm{method: attr(n, "method"), action: attr(n, "action"), fields: url.Values{}, types: map[string]string{}}
			case n.Data == "input" && f != nil && attr(n, "name") != "":
				f.fields.Set(attr(n, "name"), attr(n, "value"))
				f.types[attr(n, "name")] = attr(n, "type")
			case n.Data == "button" && f != nil && attr(n, "type") == "submit":
				f.buttons = append(f.buttons, url.Values{attr(n, "name"): {attr(n, "value")}})
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	if p.doc != nil {
		walk(p.doc)
	}
	return f
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// title returns the text of p's <title>.
func (p page) title() string {
	var out string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "title" && n.FirstChild != nil {
			out = n.FirstChild.Data
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	if p.doc != nil {
		walk(p.doc)
	}
	return out
}

// submit posts f with its fields, overridden by extra (a value "" deletes a field).
func (b *browser) submit(p page, f *htmlForm, extra url.Values) page {
	b.t.Helper()
	require.NotNil(b.t, f, "no form on %s:\n%s", p.url, p.body)
	require.Equal(b.t, "post", strings.ToLower(f.method))
	v := url.Values{}
	for k, vs := range f.fields {
		v[k] = vs
	}
	for k, vs := range extra {
		if len(vs) == 1 && vs[0] == "" {
			v.Del(k)
			continue
		}
		v[k] = vs
	}
	action, err := p.url.Parse(f.action)
	require.NoError(b.t, err)
	return b.do(http.MethodPost, action.String(), v)
}

// signIn submits the sign-in page p with user and password and follows.
func (b *browser) signIn(p page, user, password string) page {
	b.t.Helper()
	return b.follow(b.submit(p, p.form(), url.Values{"username": {user}, "password": {password}}))
}

// decide submits the consent page p with the button whose value is decision.
func (b *browser) decide(p page, decision string) page {
	b.t.Helper()
	return b.follow(b.submit(p, p.form(), url.Values{"decision": {decision}}))
}

// isLoginPage and isConsentPage tell the two pages apart by their forms.
func (p page) isLoginPage() bool {
	f := p.form()
	return p.status == 200 && f != nil && f.types["password"] == "password"
}

func (p page) isConsentPage() bool {
	f := p.form()
	return p.status == 200 && f != nil && len(f.buttons) == 2 && f.types["password"] == ""
}

// code returns the code of a redirect to the client's redirect_uri, or "".
func (p page) code(t *testing.T) string {
	t.Helper()
	if p.status != http.StatusFound {
		return ""
	}
	loc := p.location(t)
	if !strings.HasPrefix(loc.String(), rfcURI) {
		return ""
	}
	return loc.Query().Get("code")
}

func newLoginServer(t *testing.T, mode LoginMode, defects ...Defect) *testServer {
	t.Helper()
	return newTestServerWith(t, []Option{WithLogin(mode)}, defects...)
}

// TestLoginFlow walks the form login from the authorization request to the
// token, checking each page as a QA engineer would in a browser.
func TestLoginFlow(t *testing.T) {
	ts := newLoginServer(t, LoginForm)
	b := ts.newBrowser()
	first := b.get(rfcAuthorizePath(nil))
	require.Equal(t, http.StatusSeeOther, first.status, first.body)
	require.True(t, strings.HasPrefix(first.location(t).Path, "/oauth2/interaction/"), first.location(t).String())
	cookie := first.header.Get("Set-Cookie")
	require.Contains(t, cookie, SessionCookie+"=")
	require.Contains(t, cookie, "HttpOnly")
	require.Contains(t, cookie, "SameSite=Lax")

	login := b.follow(first)
	require.True(t, login.isLoginPage(), login.body)
	require.Equal(t, "Sign in · oauthconf reference", login.title())
	f := login.form()
	require.Equal(t, "text", f.types["username"])
	require.Equal(t, "hidden", f.types["csrf"])
	require.Len(t, f.fields.Get("csrf"), 64)
	require.Equal(t, "DENY", login.header.Get("X-Frame-Options"))
	require.Equal(t, "no-store", login.header.Get("Cache-Control"))

	consent := b.signIn(login, "alice", "wonderland-42")
	require.True(t, consent.isConsentPage(), consent.body)
	require.Equal(t, "Authorize conf-client · oauthconf reference", consent.title())
	require.Contains(t, consent.body, "read")
	cf := consent.form()
	require.Equal(t, "hidden", cf.types["csrf"])
	require.Equal(t, []url.Values{{"decision": {"approve"}}, {"decision": {"deny"}}}, cf.buttons)

	final := b.decide(consent, "approve")
	code := final.code(t)
	require.NotEmpty(t, code, "status %d Location %s", final.status, final.header.Get("Location"))
	require.Equal(t, "s1", final.location(t).Query().Get("state"))
	rp := ts.rfcExchange(code, nil)
	require.Equal(t, http.StatusOK, rp.status, string(rp.body))
	require.Equal(t, "alice", jwtClaims(t, rp.json(t)["access_token"].(string))["sub"])
}

// TestLoginSessionIsRemembered: within a session, consent given for a client
// and scope is not asked again; another scope asks; prompt forces the pages.
func TestLoginSessionIsRemembered(t *testing.T) {
	ts := newLoginServer(t, LoginForm)
	b := ts.newBrowser()
	require.NotEmpty(t, b.decide(b.signIn(b.authorize(nil), "alice", "wonderland-42"), "approve").code(t))
	cases := []struct {
		description string
		extra       url.Values
		want        string // code, login or consent
	}{
		{"the same client and scope get the code at once", nil, "code"},
		{"another scope asks for consent", url.Values{"scope": {"read write"}}, "consent"},
		{"prompt=consent asks for consent again", url.Values{"prompt": {"consent"}}, "consent"},
		{"prompt=login asks to sign in again", url.Values{"prompt": {"login"}}, "login"},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			b.t = t
			p := b.authorize(tc.extra)
			switch tc.want {
			case "code":
				require.NotEmpty(t, p.code(t), "status %d %s", p.status, p.body)
			case "consent":
				require.True(t, p.isConsentPage(), p.body)
				require.NotEmpty(t, b.decide(p, "approve").code(t), "approving resumes the request")
			case "login":
				require.True(t, p.isLoginPage(), p.body)
				require.NotEmpty(t, b.signIn(p, "alice", "wonderland-42").code(t), "consent is remembered after signing in again")
			}
		})
	}
}

// TestLoginRefusals: what a resource owner or an attacker sees when the flow
// does not go through.
func TestLoginRefusals(t *testing.T) {
	ts := newLoginServer(t, LoginForm)
	t.Run("a wrong password shows the sign-in page again with an error", func(t *testing.T) {
		b := ts.newBrowser()
		p := b.signIn(b.authorize(nil), "alice", "wrong")
		require.True(t, p.isLoginPage(), p.body)
		require.Contains(t, p.body, "Invalid username or password.")
		require.Equal(t, "alice", p.form().fields.Get("username"))
		require.NotEmpty(t, b.decide(b.signIn(p, "alice", "wonderland-42"), "approve").code(t), "the right password still works")
	})
	t.Run("deny redirects with access_denied and the state", func(t *testing.T) {
		b := ts.newBrowser()
		p := b.decide(b.signIn(b.authorize(nil), "alice", "wonderland-42"), "deny")
		require.Equal(t, http.StatusFound, p.status)
		q := p.location(t).Query()
		require.Equal(t, "access_denied", q.Get("error"))
		require.Equal(t, "s1", q.Get("state"))
		require.Empty(t, q.Get("code"))
	})
	for _, csrf := range []string{"", "0000"} {
		t.Run("a sign-in without the page's CSRF token is refused: csrf="+csrf, func(t *testing.T) {
			b := ts.newBrowser()
			login := b.authorize(nil)
			p := b.submit(login, login.form(), url.Values{"username": {"alice"}, "password": {"wonderland-42"}, "csrf": {csrf}})
			require.Equal(t, http.StatusForbidden, p.status, p.body)
			require.Contains(t, p.body, "CSRF")
		})
	}
	t.Run("a consent without the page's CSRF token is refused", func(t *testing.T) {
		b := ts.newBrowser()
		consent := b.signIn(b.authorize(nil), "alice", "wonderland-42")
		p := b.submit(consent, consent.form(), url.Values{"decision": {"approve"}, "csrf": {"x"}})
		require.Equal(t, http.StatusForbidden, p.status, p.body)
	})
	t.Run("another browser cannot answer the interaction", func(t *testing.T) {
		login := ts.newBrowser().authorize(nil)
		other := ts.newBrowser()
		p := other.submit(login, login.form(), url.Values{"username": {"alice"}, "password": {"wonderland-42"}})
		require.Equal(t, http.StatusBadRequest, p.status, p.body)
		require.Contains(t, p.body, "another browser session")
	})
	t.Run("an invalid client is refused before any page", func(t *testing.T) {
		p := ts.newBrowser().get(rfcAuthorizePath(url.Values{"client_id": {"nobody"}}))
		require.Equal(t, http.StatusBadRequest, p.status)
		require.Empty(t, p.header.Get("Set-Cookie"))
	})
	t.Run("prompt=none without a session is login_required", func(t *testing.T) {
		p := ts.newBrowser().get(rfcAuthorizePath(url.Values{"prompt": {"none"}}))
		require.Equal(t, http.StatusFound, p.status)
		require.Equal(t, "login_required", p.location(t).Query().Get("error"))
	})
	t.Run("username and password query parameters do not sign in", func(t *testing.T) {
		p := ts.newBrowser().authorize(url.Values{"username": {"alice"}, "password": {"wonderland-42"}})
		require.True(t, p.isLoginPage(), p.body)
	})
}

// TestLoginSessionExpires: the session lasts SessionTTL on the server's clock,
// an interaction InteractionTTL.
func TestLoginSessionExpires(t *testing.T) {
	ts := newLoginServer(t, LoginForm)
	b := ts.newBrowser()
	require.NotEmpty(t, b.decide(b.signIn(b.authorize(nil), "alice", "wonderland-42"), "approve").code(t))
	other := ts.newBrowser()
	login := other.authorize(nil)
	require.True(t, login.isLoginPage())
	ts.advance(InteractionTTL)
	p := other.get(login.url.String())
	require.Equal(t, http.StatusBadRequest, p.status, "an interaction older than InteractionTTL is refused")
	require.Contains(t, p.body, "unknown or expired")
	require.NotEmpty(t, b.authorize(nil).code(t), "the session outlives the interaction")
	ts.advance(SessionTTL)
	require.True(t, b.authorize(nil).isLoginPage(), "after the session's lifetime the owner signs in again")
}

// TestLoginScript: the script mode's sign-in page has no form in its HTML, only
// an inline script (allowed by the CSP nonce) that builds it; the rest of the
// flow is the same.
func TestLoginScript(t *testing.T) {
	ts := newLoginServer(t, LoginScript)
	b := ts.newBrowser()
	p := b.authorize(nil)
	require.Equal(t, http.StatusOK, p.status)
	require.Equal(t, "Sign in · oauthconf reference", p.title())
	require.Nil(t, p.form(), "no form in the static HTML:\n%s", p.body)
	require.NotContains(t, p.body, `type="password"`)
	require.Contains(t, p.body, `document.createElement("form")`)
	require.Contains(t, p.body, `input("password", "password"`)
	nonce := strings.TrimSuffix(strings.SplitN(p.header.Get("Content-Security-Policy"), "'nonce-", 2)[1], "'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	require.Contains(t, p.body, `<script nonce="`+nonce+`">`)
	// What the script would post: the same fields as the form mode.
	action := strings.SplitN(strings.SplitN(p.body, `action: "`, 2)[1], `"`, 2)[0]
	csrf := strings.SplitN(strings.SplitN(p.body, `csrf: "`, 2)[1], `"`, 2)[0]
	action = strings.ReplaceAll(action, `\/`, "/")
	require.True(t, strings.HasPrefix(action, "/oauth2/interaction/"), action)
	consent := b.follow(b.do(http.MethodPost, action, url.Values{"csrf": {csrf}, "username": {"alice"}, "password": {"wonderland-42"}}))
	require.True(t, consent.isConsentPage(), consent.body)
	require.NotEmpty(t, b.decide(consent, "approve").code(t))
}

// The probes of the login defects (see defectProbes): each holds on a server
// started with WithLogin(LoginForm) and fails under its defect.

func probeConsentAsked(t *testing.T, ts *testServer) bool {
	b := ts.newBrowser()
	return b.signIn(b.authorize(nil), "alice", "wonderland-42").isConsentPage()
}

func probeCSRFChecked(t *testing.T, ts *testServer) bool {
	b := ts.newBrowser()
	login := b.authorize(nil)
	p := b.submit(login, login.form(), url.Values{"username": {"alice"}, "password": {"wonderland-42"}, "csrf": {"forged"}})
	return p.status == http.StatusForbidden
}

func probeNoLoginBypass(t *testing.T, ts *testServer) bool {
	p := ts.newBrowser().authorize(url.Values{"user": {"alice"}})
	return p.code(t) == "" && p.isLoginPage()
}

func probeSessionRotated(t *testing.T, ts *testServer) bool {
	b := ts.newBrowser()
	login := b.authorize(nil)
	u, _ := url.Parse(ts.URL + "/oauth2/")
	before := sessionCookie(b.jar, u)
	b.signIn(login, "alice", "wonderland-42")
	after := sessionCookie(b.jar, u)
	require.NotEmpty(t, before)
	require.NotEmpty(t, after)
	return before != after
}

func sessionCookie(jar http.CookieJar, u *url.URL) string {
	for _, c := range jar.Cookies(u) {
		if c.Name == SessionCookie {
			return c.Value
		}
	}
	return ""
}

// TestLoginConsentsBelongToTheUser: signing in as someone else within a
// session (prompt=login) does not inherit the first user's consents.
func TestLoginConsentsBelongToTheUser(t *testing.T) {
	cfg := DemoConfig()
	cfg.RFC6749.Users = append(cfg.RFC6749.Users, RFCUser{Username: "bob", Password: "builder-7"})
	srv, err := New(cfg, WithLogin(LoginForm), WithPurgeInterval(0))
	require.NoError(t, err)
	defer srv.Close()
	ts := &testServer{Server: srv, URL: newLoopback(t, srv).URL, t: t}
	b := ts.newBrowser()
	require.NotEmpty(t, b.decide(b.signIn(b.authorize(nil), "alice", "wonderland-42"), "approve").code(t))
	p := b.signIn(b.authorize(url.Values{"prompt": {"login"}}), "bob", "builder-7")
	require.True(t, p.isConsentPage(), "bob is asked for his own consent:\n%s", p.body)
	require.Contains(t, p.body, "Signed in as <strong>bob</strong>")
}

// TestLoginConcurrentBrowsers: browsers signing in at once each get their own
// session and a code that redeems once.
func TestLoginConcurrentBrowsers(t *testing.T) {
	ts := newLoginServer(t, LoginScript)
	t.Run("group", func(t *testing.T) {
		for i := range 16 {
			t.Run("browser "+string(rune('a'+i)), func(t *testing.T) {
				t.Parallel()
				b := ts.newBrowser()
				b.t = t
				login := b.authorize(nil)
				action := strings.ReplaceAll(strings.SplitN(strings.SplitN(login.body, `action: "`, 2)[1], `"`, 2)[0], `\/`, "/")
				csrf := strings.SplitN(strings.SplitN(login.body, `csrf: "`, 2)[1], `"`, 2)[0]
				consent := b.follow(b.do(http.MethodPost, action, url.Values{"csrf": {csrf}, "username": {"alice"}, "password": {"wonderland-42"}}))
				code := b.decide(consent, "approve").code(t)
				require.NotEmpty(t, code)
				f := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {rfcURI}}
				r, err := http.NewRequest(http.MethodPost, ts.URL+"/oauth2/token", strings.NewReader(f.Encode()))
				require.NoError(t, err)
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				r.SetBasicAuth(rfcID, rfcSecret)
				rp, err := b.c.Do(r)
				require.NoError(t, err)
				rp.Body.Close()
				require.Equal(t, http.StatusOK, rp.StatusCode, "the code redeems")
			})
		}
	})
	require.Equal(t, 16, ts.Stats().Codes, "one code per browser")
}
