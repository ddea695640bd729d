package steps

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/oauthconf/oauthconf/reference"
)

// codeFlow reports whether a scenario needs a code (or implicit token) from
// the authorization endpoint.
func codeFlow(s *ScenarioResult) bool {
	for _, f := range []string{"authorization_code", "redirect_uri", "pkce", "login", "implicit"} {
		if strings.Contains(strings.ToLower(s.URI), f) {
			return true
		}
	}
	return false
}

// Against sign-in and consent pages, the rfc6749 profile with its login
// section gets every code through the user agent: nothing fails, and no
// code-flow scenario is skipped for a reason about support or the login.
func TestLoginReferencePasses(t *testing.T) {
	res := runLogin(t, startReferenceWith(t, []reference.Option{reference.WithLogin(reference.LoginForm)}).URL)
	ran := 0
	for _, s := range res.Scenarios() {
		if !codeFlow(s) {
			continue
		}
		switch {
		case s.Status == StatusFailed || s.Status == StatusError:
			t.Errorf("%s: %s: %s", s.ID(), s.Status, s.Message)
		case s.Status == StatusSkipped && (strings.Contains(s.Message, "does not support") || strings.Contains(s.Message, "login")):
			t.Errorf("%s skipped: %s", s.ID(), s.Message)
		case s.Status == StatusPassed:
			ran++
		}
	}
	if ran < 20 {
		t.Errorf("only %d code-flow scenarios passed, want the whole code flow (20 or more)", ran)
	}
}

// A sign-in the user agent cannot complete is no rule failure: the
// scenario names the hop and the page, never "does not support".
func TestLoginInteractionFailures(t *testing.T) {
	for _, tc := range []struct {
		description string
		mode        reference.LoginMode
		password    string
		want        []string
	}{
		{"a wrong password names the page's error text", reference.LoginForm, "not-the-password",
			[]string{"could not obtain a code at hop 3", "Sign in · oauthconf reference", "the login form came back"}},
		{"a page built by JavaScript names the page", reference.LoginScript, "",
			[]string{"could not obtain a code at hop 2", "Sign in · oauthconf reference", "JavaScript"}},
	} {
		t.Run(tc.description, func(t *testing.T) {
			base := startReferenceWith(t, []reference.Option{reference.WithLogin(tc.mode)}).URL
			var replace map[string]string
			if tc.password != "" {
				replace = map[string]string{"password": tc.password}
			}
			o := loginOptionsWith(t, base, replace)
			o.Tags = "@rfc6749-4.1.2"
			res, err := Run(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, s := range res.Scenarios() {
				if s.Status == StatusSkipped {
					continue
				}
				n++
				if s.Status == StatusPassed || strings.Contains(s.Message, "does not support") {
					t.Errorf("%s: %s %q, want not tested", s.ID(), s.Status, s.Message)
				}
				for _, w := range tc.want {
					if !strings.Contains(s.Message, w) {
						t.Errorf("%s: message %q does not say %q", s.ID(), s.Message, w)
					}
				}
				if strings.Contains(s.Message+s.Transcript, "wonderland-42") || tc.password != "" && strings.Contains(s.Message+s.Transcript, tc.password) {
					t.Errorf("%s: the password is in the output", s.ID())
				}
			}
			if n == 0 {
				t.Fatal("no scenario ran")
			}
		})
	}
}

// The negative redirect checks judge the answer where the bad redirect would
// happen: a server that shows its sign-in first and refuses the redirect URI
// only then passes; one that redirects to it after the sign-in fails.
func TestLoginThenRedirectJudged(t *testing.T) {
	for _, tc := range []struct {
		description string
		refuse      bool
		want        Status
	}{
		{"refused after the sign-in", true, StatusPassed},
		{"redirected to the bad URI after the sign-in", false, StatusFailed},
	} {
		t.Run(tc.description, func(t *testing.T) {
			ref := startReference(t)
			srv := httptest.NewServer(lateRefusal(ref.URL, tc.refuse))
			t.Cleanup(srv.Close)
			o := loginOptions(t, srv.URL)
			o.Tags = "@rfc6749-4.1.2.1-no-redirect"
			res, err := Run(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range res.Scenarios() {
				if s.Status != tc.want {
					t.Errorf("%s: %s %q, want %s", s.ID(), s.Status, s.Message, tc.want)
				}
			}
		})
	}
}

// lateRefusal is a server that shows a sign-in form for every authorization
// request and only then checks the redirect URI: it refuses an unregistered
// one with 400 (refuse) or redirects to it; everything else is the
// reference's (without its own sign-in).
func lateRefusal(ref string, refuse bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/oauth2/authorize" && r.URL.Query().Get("signed") == "":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprintf(w, `<title>Sign in</title><form method="post" action="/login?%s"><input name="username"><input type="password" name="password"><button>Sign in</button></form>`, r.URL.RawQuery)
		case r.URL.Path == "/login":
			q := r.URL.Query()
			if strings.Contains(q.Get("redirect_uri"), "unregistered") {
				if refuse {
					http.Error(w, "invalid redirect_uri", http.StatusBadRequest)
				} else {
					http.Redirect(w, r, q.Get("redirect_uri")+"?error=invalid_request", http.StatusFound)
				}
				return
			}
			q.Set("signed", "1")
			http.Redirect(w, r, "/oauth2/authorize?"+q.Encode(), http.StatusSeeOther)
		default:
			target, _ := url.Parse(ref)
			httputil.NewSingleHostReverseProxy(target).ServeHTTP(w, r)
		}
	})
}
