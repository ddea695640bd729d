package useragent

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// hydra starts an Ory Hydra-like pair: the OAuth server, and its login and
// consent app on another origin, whose forms (modelled on Hydra's reference
// login-consent app) have "Log in"/"Allow access" and "Deny access" submits
// sharing the name "submit".
func hydra(t *testing.T) (oauth, app *httptest.Server) {
	appMux := http.NewServeMux()
	app = httptest.NewServer(appMux)
	t.Cleanup(app.Close)
	oauth = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		switch {
		case q.Get("consent_verifier") == "v2":
			http.Redirect(w, r, "http://127.0.0.1:9/cb?code=hydra-code&state=st-123", http.StatusFound)
		case q.Get("login_verifier") == "v1":
			http.Redirect(w, r, app.URL+"/consent?consent_challenge=c2", http.StatusFound)
		default:
			http.Redirect(w, r, app.URL+"/login?login_challenge=c1", http.StatusFound)
		}
	}))
	t.Cleanup(oauth.Close)
	form := func(action, challenge, fields, accept string) string {
		return fmt.Sprintf(`<html><head><title>%s</title></head><body><form action="%s" method="POST">
<input type="hidden" name="challenge" value="%s"><input type="hidden" name="_csrf" value="tok-%s">%s
<input type="checkbox" id="remember" name="remember" value="1"><label for="remember">Remember me</label>
<input type="submit" id="accept" name="submit" value="%s"><input type="submit" id="reject" name="submit" value="Deny access">
</form></body></html>`, accept, action, challenge, challenge, fields, accept)
	}
	appMux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, form("/login", r.URL.Query().Get("login_challenge"),
			`<input type="email" id="email" name="email" placeholder="email@foobar.com"><input type="password" id="password" name="password">`, "Log in"))
	})
	appMux.HandleFunc("GET /consent", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, form("/consent", r.URL.Query().Get("consent_challenge"),
			`<input type="checkbox" id="openid" value="openid" name="grant_scope" checked>`, "Allow access"))
	})
	appMux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		if r.PostFormValue("submit") != "Log in" || r.PostFormValue("_csrf") != "tok-c1" ||
			r.PostFormValue("email") != testUser || r.PostFormValue("password") != testPassword || r.PostForm.Has("remember") {
			http.Error(w, "bad login post: "+r.PostForm.Encode(), http.StatusBadRequest)
			return
		}
		http.Redirect(w, r, oauth.URL+"/oauth2/auth?login_verifier=v1", http.StatusFound)
	})
	appMux.HandleFunc("POST /consent", func(w http.ResponseWriter, r *http.Request) {
		if r.PostFormValue("submit") != "Allow access" || r.PostFormValue("grant_scope") != "openid" {
			http.Error(w, "bad consent post: "+r.PostForm.Encode(), http.StatusBadRequest)
			return
		}
		http.Redirect(w, r, oauth.URL+"/oauth2/auth?consent_verifier=v2", http.StatusFound)
	})
	return oauth, app
}

func TestAuthorizeLoginAppOnAnotherOrigin(t *testing.T) {
	oauth, app := hydra(t)
	ru := "http://127.0.0.1:9/cb"
	cfg := creds()
	cfg.AllowedOrigins = []string{app.URL}
	var hops []Hop
	got, err := Authorize(context.Background(), &http.Client{}, authURL(oauth.URL+"/oauth2", ru), ru, cfg, func(h Hop) { hops = append(hops, h) })
	if err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	if got.String() != "http://127.0.0.1:9/cb?code=hydra-code&state=st-123" {
		t.Errorf("got %s, want the code", got)
	}
	if len(hops) != 7 {
		t.Errorf("got %d hops, want 7 (auth, login page, login post, auth, consent page, consent post, auth)", len(hops))
	}
	// The login post goes to the app with the page as Referer and the app's Origin, as a browser's would.
	if len(hops) > 2 {
		h := hops[2]
		if h.ReqHeader.Get("Origin") != app.URL || !strings.HasPrefix(h.ReqHeader.Get("Referer"), app.URL+"/login?") {
			t.Errorf("login post headers Origin %q Referer %q, want the login page's", h.ReqHeader.Get("Origin"), h.ReqHeader.Get("Referer"))
		}
	}

	cfg.AllowedOrigins = nil
	_, err = Authorize(context.Background(), &http.Client{}, authURL(oauth.URL+"/oauth2", ru), ru, cfg, nil)
	if !errors.Is(err, ErrForeignRedirect) || !strings.Contains(err.Error(), "a redirect to "+app.URL+"/login, outside the allowed origins") {
		t.Errorf("without the app's origin allowed, got %v, want the redirect to it refused", err)
	}
}

func TestAuthorizeNeverPostsThePasswordToAForeignOrigin(t *testing.T) {
	foreign, hits := serve(t, htmlPage(200, "stolen"))
	srv, _ := serve(t, htmlPage(200, `<title>Sign in</title><form method="post" action="`+foreign.URL+`/collect">
<input name="username"><input type="password" name="password"><button>Sign in</button></form>`))
	ru := client(t)
	_, err := Authorize(context.Background(), &http.Client{}, authURL(srv.URL, ru), ru, creds(), nil)
	if !errors.Is(err, ErrForeignRedirect) || !strings.Contains(err.Error(), "the login form's submission to "+foreign.URL+"/collect, outside the allowed origins") {
		t.Errorf("got %v, want the login form's submission to the foreign origin refused", err)
	}
	if hits.Load() != 0 {
		t.Errorf("the foreign origin got %d requests", hits.Load())
	}
}

func TestAuthorizeFollowsPagesAsABrowserDoes(t *testing.T) {
	tests := []struct {
		description string
		pages       map[string]string // path → HTML
		status      map[string]int    // path → status, 200 if absent
		cfg         func(Config) Config
		want        string // the result, {cb} the redirect URI
	}{
		{
			description: "a meta refresh to the redirect URI",
			pages:       map[string]string{"/auth": `<html><head><meta http-equiv="refresh" content="0; URL='{cb}?code=c1&amp;state=s'"></head></html>`},
			want:        "{cb}?code=c1&state=s",
		},
		{
			description: "an identifier-first login: the username page, then the password page",
			pages: map[string]string{
				"/auth":     `<form method="post" action="/identify"><input type="email" name="identifier" autocomplete="username"><button type="submit">Next</button></form>`,
				"/identify": `<form method="post" action="/password"><input type="hidden" name="identifier" value="alice"><input type="password" name="pw"><button>Sign in</button></form>`,
				"/password": `<meta http-equiv="refresh" content="0;url={cb}?code=c2">`,
			},
			want: "{cb}?code=c2",
		},
		{
			description: "a distant meta refresh (session expiry) on a login page is not followed",
			pages: map[string]string{
				"/auth":  `<meta http-equiv="refresh" content="1800; url=/expired"><form method="post" action="/login"><input name="user"><input type="password" name="pass"><input type="submit" value="Log in"></form>`,
				"/login": `<meta http-equiv="refresh" content="0;url={cb}?code=c6">`,
			},
			want: "{cb}?code=c6",
		},
		{
			description: "a login page served with 401 is filled like any other",
			pages: map[string]string{
				"/auth":  `<form method="post" action="/login"><input name="user"><input type="password" name="pass"><input type="submit" value="Log in"></form>`,
				"/login": `<meta http-equiv="refresh" content="0;url={cb}?code=c5">`,
			},
			status: map[string]int{"/auth": http.StatusUnauthorized},
			want:   "{cb}?code=c5",
		},
		{
			description: "a GET form replaces the action's query with its fields",
			pages: map[string]string{
				"/auth": `<form action="{cb}?ignored=1"><input type="hidden" name="code" value="c3"><input type="hidden" name="state" value="s 3"></form>`,
			},
			want: "{cb}?code=c3&state=s+3",
		},
		{
			description: "a consent page with approve first, a deny form first and a logout form",
			pages: map[string]string{
				"/auth": `<form action="/logout" method="post"><button>Log out</button></form>
<form action="/deny" method="post"><input type="submit" value="Cancel"></form>
<form action="{cb}" method="post"><input type="hidden" name="code" value="c4"><input type="submit" name="consent" value="Authorize app"></form>`,
			},
			want: "{cb}?code=c4&consent=Authorize+app",
		},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			ru := client(t)
			var hops []string
			srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
				body, ok := tc.pages[r.URL.Path]
				if !ok {
					http.NotFound(w, r)
					return
				}
				if r.Method == http.MethodPost {
					_ = r.ParseForm()
					hops = append(hops, r.URL.Path+" "+r.PostForm.Encode())
				}
				w.Header().Set("Content-Type", "text/html")
				if st := tc.status[r.URL.Path]; st != 0 {
					w.WriteHeader(st)
				}
				fmt.Fprint(w, strings.ReplaceAll(body, "{cb}", ru))
			})
			cfg := creds()
			if tc.cfg != nil {
				cfg = tc.cfg(cfg)
			}
			got, err := Authorize(context.Background(), &http.Client{}, srv.URL+"/auth", ru, cfg, nil)
			if err != nil {
				t.Fatalf("Authorize: %v (posts %q)", err, hops)
			}
			if want := strings.ReplaceAll(tc.want, "{cb}", ru); got.String() != want {
				t.Errorf("got %s, want %s (posts %q)", got, want, hops)
			}
		})
	}
}

func TestFormEntriesAsABrowserBuildsThem(t *testing.T) {
	tests := []struct {
		description string
		form        string
		press       string // the submit pressed, by text
		want        string
	}{
		{
			description: "hidden fields kept, checkboxes only when checked, the pressed button only",
			form: `<input type="hidden" name="csrf" value="t1"><input type="checkbox" name="a" checked><input type="checkbox" name="b" value="x">
<input type="radio" name="r" value="1"><input type="radio" name="r" value="2" checked>
<button name="op" value="deny">No</button><button name="op" value="allow">Yes</button>`,
			press: "Yes",
			want:  "csrf=t1&a=on&r=2&op=allow",
		},
		{
			description: "select's selected option, first option by default, textarea, disabled left out",
			form: `<select name="s1"><option>one</option><option value="2" selected>two</option></select>
<select name="s2"><option disabled>x</option><option value="y">Y</option></select>
<select name="m" multiple><option>p</option></select>
<textarea name="t">
line</textarea><input name="d" value="v" disabled><fieldset disabled><input name="f" value="v"></fieldset>
<input type="text" name="keep" value="k"><input type="file" name="upload"><input type="reset" name="rs"><input type="submit" value="Go">`,
			press: "Go",
			want:  "s1=2&s2=y&t=line&keep=k",
		},
		{
			description: "an image button sends its click coordinates",
			form:        `<input type="hidden" name="h" value="1"><input type="image" name="go" alt="Continue">`,
			press:       "Continue",
			want:        "h=1&go.x=0&go.y=0",
		},
		{
			description: "a control outside the form joins it by form=id",
			form:        `<input name="in" value="1"></form><input form="f" name="out" value="2"><form>`,
			want:        "in=1&out=2",
		},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			u, _ := url.Parse("http://127.0.0.1/")
			p := parsePage([]byte(`<form id="f">`+tc.form+`</form>`), u)
			if len(p.forms) == 0 {
				t.Fatal("no form parsed")
			}
			var sub *control
			for _, c := range p.forms[0].submitters() {
				if c.matches(tc.press) {
					sub = c
				}
			}
			if tc.press != "" && sub == nil {
				t.Fatalf("no submit %q", tc.press)
			}
			if got := encode(p.forms[0].entries(sub, nil)); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestReferrerHeaders(t *testing.T) {
	page := "https://login.example/interaction/u1?x=1#frag"
	tests := []struct {
		description, target, policy string
		wantReferer, wantOrigin     string
	}{
		{"same origin by default: the full URL without fragment", "https://login.example/interaction/u1/login", "", "https://login.example/interaction/u1?x=1", "https://login.example"},
		{"cross origin by default: the origin only", "https://app.example/cb", "", "https://login.example/", "https://login.example"},
		{"a downgrade to http by default: nothing", "http://login.example/x", "", "", "null"},
		{"no-referrer: no Referer, Origin null", "https://login.example/x", "no-referrer", "", "null"},
		{"same-origin, cross origin: nothing", "https://app.example/cb", "same-origin", "", "null"},
		{"unknown tokens ignored, the last known wins", "https://app.example/cb", "no-referrer, unsafe-url, bogus", "https://login.example/interaction/u1?x=1", "https://login.example"},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			ref, _ := url.Parse(page)
			target, _ := url.Parse(tc.target)
			referer, origin := referrerHeaders(ref, target, tc.policy)
			if referer != tc.wantReferer || origin != tc.wantOrigin {
				t.Errorf("got Referer %q Origin %q, want %q and %q", referer, origin, tc.wantReferer, tc.wantOrigin)
			}
		})
	}
}

func TestConsentSubmitOfRealServersPages(t *testing.T) {
	tests := []struct {
		description string
		form        string
		approve     string // Config.Approve
		want        string // the pressed submit's label
	}{
		{"Keycloak: Yes and No", `<input type="hidden" name="code" value="x"><input name="accept" id="kc-login" type="submit" value="Yes"/><input name="cancel" id="kc-cancel" type="submit" value="No"/>`, "", "Yes"},
		{"Hydra: Allow access and Deny access sharing name=submit", `<input type="submit" id="reject" name="submit" value="Deny access"><input type="submit" id="accept" name="submit" value="Allow access">`, "", "Allow access"},
		{"oidc-provider: a lone Continue", `<button autofocus type="submit" class="login login-submit">Continue</button>`, "", "Continue"},
		{"Spring Authorization Server: Submit Consent, Cancel a plain button", `<button class="btn btn-primary btn-lg" type="submit" id="submit-consent">Submit Consent</button><button class="btn btn-link" type="button" id="cancel-consent">Cancel</button>`, "", "Submit Consent"},
		{"a 'No, do not allow' button is never the approving one", `<button type="submit" name="d" value="0">No, do not allow</button><button type="submit" name="d" value="1">Authorize</button>`, "", "Authorize"},
		{"Approve by id", `<input type="submit" id="accept" value="OK"><input type="submit" id="other" value="Fine">`, "other", "Fine"},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			u, _ := url.Parse("http://127.0.0.1/")
			a := &agent{cfg: Config{Approve: tc.approve}}
			_, sub := a.consentSubmit(parsePage([]byte(`<form method="post">`+tc.form+`</form>`), u))
			if sub == nil || sub.label != tc.want {
				t.Errorf("pressed %+v, want %q", sub, tc.want)
			}
		})
	}
}

func TestAuthorizeAnswersHTTPBasic(t *testing.T) {
	ru := client(t)
	srv, hits := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); ok && u == testUser && p == testPassword {
			http.Redirect(w, r, ru+"?code=basic-code", http.StatusFound)
			return
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="authorize"`)
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
	})
	tests := []struct {
		description string
		password    string
		wantCode    string
		wantErr     string
	}{
		{"the right credentials after the challenge", testPassword, "basic-code", ""},
		{"the wrong ones: a second challenge", "nope", "", "hop 2: GET " + srv.URL + "/auth answered 401: the server asked for the credentials again (HTTP Basic authentication: wrong password?)"},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			hits.Store(0)
			cfg := creds()
			cfg.Password = tc.password
			got, err := Authorize(context.Background(), &http.Client{}, srv.URL+"/auth", ru, cfg, nil)
			switch {
			case tc.wantErr != "":
				if !errors.Is(err, ErrWrongCredentials) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("got %v, want %s", err, tc.wantErr)
				}
			case err != nil || got.Query().Get("code") != tc.wantCode:
				t.Errorf("got %v, %v; want code %s", got, err, tc.wantCode)
			}
			if hits.Load() != 2 {
				t.Errorf("%d requests, want 2 (the challenge, the answer)", hits.Load())
			}
		})
	}
}
