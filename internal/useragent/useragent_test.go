package useragent

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// client is the relying party's redirect URI: a server that must never be
// requested (the user agent stops at the redirect).
func client(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the redirect URI was requested: %s %s", r.Method, r.URL)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/cb"
}

func authURL(base, redirectURI string) string {
	return base + "/auth?" + url.Values{"response_type": {"code"}, "client_id": {"app"},
		"redirect_uri": {redirectURI}, "state": {"st-123"}, "scope": {"openid"}}.Encode()
}

func creds() Config { return Config{Username: testUser, Password: testPassword} }

func TestAuthorizeGetsTheCode(t *testing.T) {
	tests := []struct {
		description string
		style       string
		consent     bool
		formPost    bool
		loggedIn    bool // the client's jar already holds a session
		cfg         func(Config) Config
		wantHops    []string // "METHOD /path STATUS"
	}{
		{
			description: "login then consent through oidc-provider's interaction pages, 303s, cookies and CSRF tokens",
			style:       "interaction", consent: true,
			wantHops: []string{"GET /auth 303", "GET /interaction/u1 200", "POST /interaction/u1/login 303",
				"GET /auth/u1 303", "GET /interaction/u3 200", "POST /interaction/u3/confirm 303", "GET /auth/u3 303"},
		},
		{
			description: "login then consent, each resuming the very same authorization request",
			style:       "resume", consent: true,
			wantHops: []string{"GET /auth 303", "GET /interaction/u1 200", "POST /interaction/u1/login 303",
				"GET /auth 303", "GET /interaction/u3 200", "POST /interaction/u3/confirm 303", "GET /auth 303"},
		},
		{
			description: "Keycloak's kc-form-login straight to a code, no consent",
			style:       "keycloak",
			wantHops:    []string{"GET /auth 200", "POST /login-actions/authenticate 303"},
		},
		{
			description: "consent only, the user already logged in (no password sent)",
			style:       "interaction", consent: true, loggedIn: true,
			wantHops: []string{"GET /auth 303", "GET /interaction/u2 200", "POST /interaction/u2/confirm 303", "GET /auth/u2 303"},
		},
		{
			description: "explicit field names and an explicit Approve by visible text",
			style:       "interaction", consent: true,
			cfg: func(c Config) Config {
				c.UsernameField, c.PasswordField, c.Approve = "login", "password", "allow ACCESS"
				return c
			},
			wantHops: []string{"GET /auth 303", "GET /interaction/u1 200", "POST /interaction/u1/login 303",
				"GET /auth/u1 303", "GET /interaction/u3 200", "POST /interaction/u3/confirm 303", "GET /auth/u3 303"},
		},
		{
			description: "a form_post response: the auto-submitting form's fields are the result",
			style:       "keycloak", formPost: true,
			wantHops: []string{"GET /auth 200", "POST /login-actions/authenticate 200"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			s := newIDP(t, tc.style, tc.consent, tc.formPost)
			ru := client(t)
			c := &http.Client{Timeout: 10 * time.Second}
			if tc.loggedIn {
				jar, _ := cookiejar.New(nil)
				u, _ := url.Parse(s.srv.URL)
				jar.SetCookies(u, []*http.Cookie{s.newSession()})
				c.Jar = jar
			}
			cfg := creds()
			if tc.cfg != nil {
				cfg = tc.cfg(cfg)
			}
			var hops []string
			got, err := Authorize(context.Background(), c, authURL(s.srv.URL, ru), ru, cfg, func(h Hop) {
				u, _ := url.Parse(h.URL)
				hops = append(hops, fmt.Sprintf("%s %s %d", h.Method, u.Path, h.Status))
				if h.N != len(hops) {
					t.Errorf("hop numbered %d, want %d", h.N, len(hops))
				}
			})
			if err != nil {
				t.Fatalf("Authorize: %v\nhops: %q", err, hops)
			}
			if len(s.codes) != 1 || got.Query().Get("code") != s.codes[0] || got.Query().Get("state") != "st-123" {
				t.Errorf("got %s, want the code the server issued (%q) and state st-123", got, s.codes)
			}
			if base := withoutQuery(got); base != ru {
				t.Errorf("got the response at %s, want the redirect URI %s", base, ru)
			}
			if strings.Join(hops, "; ") != strings.Join(tc.wantHops, "; ") {
				t.Errorf("hops:\n got %q\nwant %q", hops, tc.wantHops)
			}
			if want := map[bool]int{true: 0, false: 1}[tc.loggedIn]; s.passwords != want {
				t.Errorf("the password was posted %d times, want %d", s.passwords, want)
			}
			if c.CheckRedirect != nil {
				t.Error("the caller's client was changed")
			}
		})
	}
}

func TestAuthorizeExplicitApproveCanDeny(t *testing.T) {
	s := newIDP(t, "interaction", true, false)
	ru := client(t)
	cfg := creds()
	cfg.Approve = "deny"
	got, err := Authorize(context.Background(), http.DefaultClient, authURL(s.srv.URL, ru), ru, cfg, nil)
	if err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	if got.Query().Get("error") != "access_denied" || got.Query().Get("state") != "st-123" || len(s.codes) != 0 {
		t.Errorf("got %s (codes issued %q), want error=access_denied and the state, no code: Approve pressed the deny button", got, s.codes)
	}
}

// serve serves a fixed page (or handler) at /auth, counting requests.
func serve(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func htmlPage(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}
}

func TestAuthorizeFailsNamingThePage(t *testing.T) {
	foreign, foreignHits := serve(t, htmlPage(200, "<title>Evil</title>"))
	tests := []struct {
		description string
		style       string // an idp, or "" for handler
		forget      bool   // the idp forgets consents
		handler     http.HandlerFunc
		cfg         func(Config) Config
		ctxTimeout  time.Duration
		wantKind    error
		wantHop     int
		wantMsg     []string // in the message, in order; {host} is the server's origin
		notInMsg    []string
		maxRequests int32 // the server answered at most this many requests (0: not checked)
	}{
		{
			description: "a wrong password: the login form came back, with its error text",
			style:       "interaction",
			cfg:         func(c Config) Config { c.Password = "wrong-password"; return c },
			wantKind:    ErrWrongCredentials, wantHop: 3,
			wantMsg: []string{`could not obtain a code at hop 3: POST {host}/interaction/u1/login answered 200 (title "Sign-in"): the login form came back (wrong password? the page says: "Invalid username or password")`},
		},
		{
			description: "a wrong password on Keycloak: its kc-feedback-text is quoted",
			style:       "keycloak",
			cfg:         func(c Config) Config { c.Username = "bob"; return c },
			wantKind:    ErrWrongCredentials, wantHop: 2,
			wantMsg: []string{"hop 2: POST {host}/login-actions/authenticate?session_code=u1", `(title "Sign in to test"): the login form came back (wrong password? the page says: "Invalid username or password")`},
		},
		{
			description: "a redirect to a foreign origin is refused and named, without its query",
			handler: func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, foreign.URL+"/login?login_challenge=SECRET-CHALLENGE", http.StatusFound)
			},
			wantKind: ErrForeignRedirect, wantHop: 1,
			wantMsg:  []string{"hop 1: GET {host}/auth?", "answered 302: a redirect to " + foreign.URL + "/login, outside the allowed origins ({host})"},
			notInMsg: []string{"SECRET-CHALLENGE"},
		},
		{
			description: "a redirect loop ends at the third visit of the same URL",
			handler: func(w http.ResponseWriter, r *http.Request) {
				next := map[string]string{"/auth": "/a", "/a": "/b", "/b": "/a"}[r.URL.Path]
				http.Redirect(w, r, next, http.StatusFound)
			},
			wantKind: ErrLoop, wantHop: 6, maxRequests: 5,
			wantMsg: []string{"hop 6: GET {host}/a: a loop: this request would be sent a 3rd time with no form submitted in between"},
		},
		{
			description: "a consent that never sticks is a loop at the third consent page",
			style:       "resume", forget: true,
			cfg:      func(c Config) Config { c.MaxHops = 20; return c },
			wantKind: ErrLoop, wantHop: 11,
			wantMsg: []string{`hop 11: GET {host}/interaction/u5 answered 200 (title "Authorize"): a loop: the consent page came back a 3rd time (does the server keep the consent?)`},
		},
		{
			description: "too many hops: a chain of redirects stops at MaxHops",
			handler: func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, r.URL.Path+"x", http.StatusTemporaryRedirect)
			},
			wantKind: ErrTooManyHops, wantHop: 11, maxRequests: 10,
			wantMsg: []string{"hop 11: GET {host}/authxxxxxxxxxx: more than 10 requests without reaching the redirect URI"},
		},
		{
			description: "a page that builds its form with JavaScript is named as such",
			handler:     htmlPage(200, `<!doctype html><html><head><title>App</title><script src="/static/main.js"></script></head><body><div id="root"></div></body></html>`),
			wantKind:    ErrScriptPage, wantHop: 1,
			wantMsg: []string{`answered 200 (title "App"): the page builds its form with JavaScript: use authorize.login.mode: browser`},
		},
		{
			description: "an unexpected page without a form, quoting its text",
			handler:     htmlPage(200, `<html><head><title>Maintenance</title></head><body><h1>Down</h1><p>Back   soon</p></body></html>`),
			wantKind:    ErrUnexpectedPage, wantHop: 1,
			wantMsg: []string{`answered 200 (title "Maintenance"): a page without a form (the page says: "Down Back soon")`},
		},
		{
			description: "a username-only page without a configured username is not pressed through",
			handler:     htmlPage(200, `<title>Sign in</title><form method="post" action="/next"><input type="email" name="identifier" autocomplete="username"><button>Continue</button></form>`),
			cfg:         func(c Config) Config { c.Username = ""; return c },
			wantKind:    ErrUnexpectedPage, wantHop: 1,
			wantMsg:     []string{`(title "Sign in"): a page that is neither a login nor a consent page (fields: identifier; submits: "Continue")`},
			maxRequests: 1,
		},
		{
			description: "a 400 error page with its role=alert text",
			handler:     htmlPage(400, `<html><head><title>Error</title></head><body><div role="alert">invalid_request: unknown client_id</div></body></html>`),
			wantKind:    ErrErrorStatus, wantHop: 1,
			wantMsg: []string{`answered 400 (title "Error"): an error page (Bad Request; the page says: "invalid_request: unknown client_id")`},
		},
		{
			description: "a body over MaxBody",
			handler:     htmlPage(200, "<html><body>"+strings.Repeat("<p>filler</p>", 100_000)+"</body></html>"),
			cfg:         func(c Config) Config { c.MaxBody = 64 << 10; return c },
			wantKind:    ErrBodyTooLarge, wantHop: 1,
			wantMsg: []string{"answered 200: a body larger than 65536 bytes (the size limit)"},
		},
		{
			description: "a server that never answers is bounded by the context's deadline",
			handler: func(w http.ResponseWriter, r *http.Request) {
				<-r.Context().Done()
			},
			ctxTimeout: 300 * time.Millisecond,
			wantKind:   ErrNoAnswer, wantHop: 1,
			wantMsg: []string{"hop 1: GET {host}/auth?", ": no answer: context deadline exceeded (the interaction's deadline passed)"},
		},
		{
			description: "a server that sends its headers, then stalls mid-body, is bounded by the context's deadline",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				fmt.Fprint(w, "<html><title>Slow</title>")
				w.(http.Flusher).Flush()
				<-r.Context().Done()
			},
			ctxTimeout: 300 * time.Millisecond,
			wantKind:   ErrNoAnswer, wantHop: 1,
			wantMsg: []string{"answered 200: the body could not be read: context deadline exceeded (the interaction's deadline passed)"},
		},
		{
			description: "an explicit username field the form lacks is named with the form's fields",
			style:       "keycloak",
			cfg:         func(c Config) Config { c.UsernameField = "email"; return c },
			wantKind:    ErrUnexpectedPage, wantHop: 1,
			wantMsg: []string{`the login form has no field named "email" (its fields: username, password, rememberMe)`},
		},
		{
			description: "an explicit Approve the consent page lacks is named with the page's submits",
			style:       "interaction",
			cfg:         func(c Config) Config { c.Approve = "Grant"; return c },
			wantKind:    ErrUnexpectedPage, wantHop: 5,
			wantMsg: []string{`(title "Authorize"): no submit named "Grant" on the page (fields: scope, remember; submits: "Deny", "Allow access")`},
		},
		{
			description: "page text is bounded, control characters escaped, the password never echoed",
			handler: htmlPage(200, "<title>\x1b[31mRed"+strings.Repeat(" very long", 100)+"</title><form method=post><input type=password name=p></form>"+
				`<div class="error">Unknown password `+testPassword+`</div>`),
			cfg: func(c Config) Config { c.MaxHops = 2; return c },
			// The login form comes back at hop 2 (the same page).
			wantKind: ErrWrongCredentials, wantHop: 2,
			wantMsg:  []string{`(title "\u001B[31mRed very long`, `long…"): the login form came back (wrong password? the page says: "Unknown password [REDACTED]")`},
			notInMsg: []string{"\x1b", testPassword},
		},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			var base string
			var hits *atomic.Int32
			if tc.style != "" {
				s := newIDP(t, tc.style, true, false)
				s.forgetConsent = tc.forget
				base = s.srv.URL
			} else {
				var srv *httptest.Server
				srv, hits = serve(t, tc.handler)
				base = srv.URL
			}
			ctx := context.Background()
			if tc.ctxTimeout != 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.ctxTimeout)
				defer cancel()
			}
			cfg := creds()
			if tc.cfg != nil {
				cfg = tc.cfg(cfg)
			}
			ru := client(t)
			start := time.Now()
			got, err := Authorize(ctx, &http.Client{}, authURL(base, ru), ru, cfg, nil)
			var ie *InteractionError
			if !errors.As(err, &ie) {
				t.Fatalf("got %v, %v; want an InteractionError", got, err)
			}
			if !errors.Is(err, tc.wantKind) || ie.Hop != tc.wantHop {
				t.Errorf("got kind %v at hop %d, want %v at hop %d: %v", ie.Kind, ie.Hop, tc.wantKind, tc.wantHop, err)
			}
			msg, rest := err.Error(), err.Error()
			for _, w := range tc.wantMsg {
				w = strings.ReplaceAll(w, "{host}", base)
				i := strings.Index(rest, w)
				if i < 0 {
					t.Errorf("message\n %s\nlacks (in order)\n %s", msg, w)
					continue
				}
				rest = rest[i+len(w):]
			}
			for _, w := range tc.notInMsg {
				if strings.Contains(msg, w) || strings.Contains(ie.Title+ie.Text, w) {
					t.Errorf("message or texts contain %q: %s", w, msg)
				}
			}
			if hits != nil && tc.maxRequests != 0 && hits.Load() > tc.maxRequests {
				t.Errorf("the server answered %d requests, want at most %d", hits.Load(), tc.maxRequests)
			}
			if time.Since(start) > 5*time.Second {
				t.Errorf("took %v", time.Since(start))
			}
		})
	}
	if foreignHits.Load() != 0 {
		t.Errorf("the foreign origin got %d requests, want none", foreignHits.Load())
	}
}

func TestAuthorizeForgeHidden(t *testing.T) {
	var got atomic.Value
	srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			got.Store(r.PostFormValue("csrf") + "|" + r.PostFormValue("username") + "|" + r.PostFormValue("password"))
			http.Redirect(w, r, r.PostFormValue("ru")+"?code=c0de", http.StatusSeeOther)
			return
		}
		htmlPage(http.StatusOK, `<form method="post" action="/login"><input type="hidden" name="csrf" value="abc123">`+
			`<input name="username"><input type="password" name="password"><button>Sign in</button></form>`)(w, r)
	})
	ru := client(t)
	for _, tc := range []struct {
		description string
		forge       bool
		wantForm    string
		wantForged  []string
	}{
		{"the hidden field is sent as the page has it", false, "abc123|" + testUser + "|" + testPassword, nil},
		{"ForgeHidden replaces it, keeping the credentials", true, "000000|" + testUser + "|" + testPassword, []string{"csrf"}},
	} {
		t.Run(tc.description, func(t *testing.T) {
			cfg := creds()
			cfg.ForgeHidden = tc.forge
			var forged []string
			// The server's redirect is not the redirect URI, so Authorize fails after the POST: only the POST matters.
			_, _ = Authorize(context.Background(), srv.Client(), authURL(srv.URL, ru), ru, cfg, func(h Hop) { forged = append(forged, h.Forged...) })
			if s, _ := got.Load().(string); s != tc.wantForm {
				t.Errorf("the server got csrf|username|password %q, want %q", s, tc.wantForm)
			}
			if fmt.Sprint(forged) != fmt.Sprint(tc.wantForged) {
				t.Errorf("Hop.Forged = %q, want %q", forged, tc.wantForged)
			}
		})
	}
}

// A named submit that the consent page lacks is not replaced by its only,
// approving, button (node oidc-provider's devInteractions consent page has
// just "Continue"): asked to deny, the user agent must not approve.
func TestAuthorizeNamedSubmitMissingDoesNotApprove(t *testing.T) {
	approved := false
	srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			approved = true
			http.Redirect(w, r, "https://client.example/cb?code=c0de", http.StatusSeeOther)
			return
		}
		htmlPage(http.StatusOK, `<title>Authorize</title><form method="post"><input type="hidden" name="prompt" value="consent"><button type="submit">Continue</button></form>`)(w, r)
	})
	cfg := creds()
	cfg.Approve = "deny"
	_, err := Authorize(context.Background(), srv.Client(), authURL(srv.URL, "https://client.example/cb"), "https://client.example/cb", cfg, nil)
	if !errors.Is(err, ErrUnexpectedPage) || !strings.Contains(fmt.Sprint(err), `its only button is "Continue"`) || approved {
		t.Errorf("got %v (approved: %v), want ErrUnexpectedPage naming the page's only button, and no approval", err, approved)
	}
}
