package steps

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/oauthconf/oauthconf/reference"
)

// TestIntrospectionOfAServerThatRefusesJWTs runs the introspection feature
// against a reference server whose introspection endpoint refuses JWT access
// tokens with unsupported_token_type, as node oidc-provider does: only the
// scenario about live access tokens fails (naming the requirement to switch
// off), the negative checks use the refresh token as their control, and the
// expiry check skips with its reason.
func TestIntrospectionOfAServerThatRefusesJWTs(t *testing.T) {
	srv, err := reference.New(reference.DemoConfig(), reference.WithTestClock())
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/oauth2/introspect" && r.Method == http.MethodPost {
			body, _ := io.ReadAll(r.Body)
			form, _ := url.ParseQuery(string(body))
			if strings.Count(form.Get("token"), ".") == 2 {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadRequest)
				_, _ = w.Write([]byte(`{"error":"unsupported_token_type","error_description":"structured tokens cannot be introspected"}`))
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { ts.Close(); srv.Close() })

	o := demoOptions(t, "rfc6749", ts.URL)
	o.Tags = "@rfc7662-2.1-no-auth,@rfc7662-2.1-public-client,@rfc7662-2.2-access-token,@rfc7662-2.2-refresh-token,@rfc7662-2.2-unknown,@rfc7662-2.2-revoked,@rfc7662-2.2-rotated,@rfc7662-2.2-expired,@rfc7662-2.2-inactive-only,@rfc7662-2.3"
	res, err := Run(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Status{
		"A live access token introspects as active":                    StatusFailed,
		"A live refresh token introspects as active":                   StatusPassed,
		"A public client cannot introspect":                            StatusPassed,
		"Introspection without client authentication is refused":       StatusPassed,
		"Introspection with a wrong client secret is refused with 401": StatusPassed,
		"A made-up token introspects as inactive":                      StatusPassed,
		"A revoked refresh token introspects as inactive":              StatusPassed,
		"A rotated-out refresh token introspects as inactive":          StatusPassed,
		"An expired access token introspects as inactive":              StatusSkipped,
		"The answer for an inactive token says nothing more":           StatusPassed,
	}
	seen := 0
	for _, s := range res.Scenarios() {
		w, ok := want[s.Name]
		if !ok {
			continue
		}
		seen++
		if s.Status != w {
			t.Errorf("%s: %s (%s), want %s", s.Name, s.Status, s.Message, w)
		}
		if s.Name == "A live access token introspects as active" && !strings.Contains(s.Message, "rfc7662-2.2-access-token: off") {
			t.Errorf("the failure should say how to switch the requirement off: %s", s.Message)
		}
	}
	if seen != len(want) {
		t.Errorf("saw %d of the %d introspection scenarios", seen, len(want))
	}
}
