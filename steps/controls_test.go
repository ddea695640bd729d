package steps

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oauthconf/oauthconf/internal/outputs"
	"github.com/oauthconf/oauthconf/profile"
	"github.com/oauthconf/oauthconf/reference"
)

// TestNoScenarioPassesAgainstAServerThatRefusesEverything: a target that is not
// an OAuth server (404 everywhere, a plain web page answering 200 to every
// request) or refuses every request with a well-formed error must not earn a
// single pass: a pass against a server that implements nothing is a false
// verdict (issue 11: every negative check has a control). Negative checks
// carry a control step (the unfaulted request must succeed first), so a
// refusal, or a 200, for the wrong reason is not counted as a kept rule.
func TestNoScenarioPassesAgainstAServerThatRefusesEverything(t *testing.T) {
	cases := []struct {
		description string
		handler     http.HandlerFunc
	}{
		{"404 for every path", http.NotFound},
		{"200 with a plain web page for every request", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte("<!doctype html><html><body><h1>Welcome</h1></body></html>"))
		}},
		{"400 invalid_request (RFC 6749 §5.2 only) for every request", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_request"}`))
		}},
		{"400 invalid_request in every vendor's format", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_request","errors":[{"error":"invalid_request","code":"3","status":"400","title":"Bad Request"}]}`))
		}},
		{"401 invalid_client with Basic and Bearer challenges", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Add("WWW-Authenticate", `Basic realm="x"`)
			w.Header().Add("WWW-Authenticate", `Bearer realm="x"`)
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"invalid_client","errors":[{"error":"invalid_client","code":"4","status":"401","title":"Unauthorized"}]}`))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			ts := httptest.NewServer(tc.handler)
			t.Cleanup(ts.Close)
			var all []Options
			for _, name := range builtinProfiles {
				o := demoOptions(t, name, ts.URL)
				o.TestClock, o.SkipSlow = false, true
				all = append(all, o)
			}
			login := loginOptions(t, ts.URL) // the sign-in pages' checks too
			login.TestClock, login.SkipSlow, login.Tags = false, true, "@rfc6749-3.1-verify-identity,@rfc6749-10.12-consent,@rfc6749-10.12-csrf,@asvs-3.2.1-new-session"
			all = append(all, login)
			res, err := RunAll(t.Context(), all)
			if err != nil {
				t.Fatalf("RunAll: %v", err)
			}
			for _, s := range res.Scenarios() {
				if s.Status == StatusPassed {
					t.Errorf("passed against a server that refuses everything: %s", s.ID())
				}
			}
		})
	}
}

// TestClientAuthenticationNeedsItsControls: against a server that refuses
// every request with invalid_client, each client authentication check (and
// the redirect_uri-omitted ones) stops at its control: "control failed", or
// not applicable, never passed nor failed for the rule it names.
func TestClientAuthenticationNeedsItsControls(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("WWW-Authenticate", `Basic realm="x"`)
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":"invalid_client","errors":[{"error":"invalid_client","code":"4","status":"401","title":"Unauthorized"}]}`))
	}))
	t.Cleanup(ts.Close)
	tags := "@rfc6749-3.2.1-client-credentials,@rfc6749-3.2.1-code-exchange,@rfc6749-3.2.1-refresh,@rfc6749-3.2.1-password," +
		"@rfc7009-2.1-client-auth,@rfc7662-2.1-no-auth,@rfc6749-3.2.1-pkce,@rfc6749-6-public-client-binding," +
		"@rfc6749-3.1.2.3-one-uri,@rfc6749-4.1.3-redirect-uri-omitted,@rfc7009-2.1-client-binding"
	var all []Options
	for _, name := range builtinProfiles {
		o := demoOptions(t, name, ts.URL)
		o.TestClock, o.SkipSlow, o.Tags = false, true, tags
		all = append(all, o)
	}
	res, err := RunAll(t.Context(), all)
	if err != nil {
		t.Fatalf("RunAll: %v", err)
	}
	ran := 0
	for _, s := range res.Scenarios() {
		switch {
		case s.Status == StatusSkipped:
		case s.Status == StatusPassed:
			t.Errorf("passed against a server that refuses everything: %s", s.ID())
		case s.Status != StatusNotTested || !strings.Contains(s.Message, "a precondition failed"):
			t.Errorf("%s: %s, want not tested (its control failed): %s", s.ID(), s.Status, s.Message)
		default:
			ran++
		}
	}
	if ran < 20 {
		t.Errorf("only %d scenarios stopped at their control; the tags select too few", ran)
	}
}

// TestRevocationOfAnUnknownTokenNeedsItsControl: "Revoking an unknown token
// answers 200" (RFC 7009 §2.2) is judged only once the endpoint has shown it
// revokes (a refresh token it revoked is refused): a plain web page, which
// answers 200 to everything, and a revocation endpoint that revokes nothing
// leave it not tested, with why; an endpoint that answers an unknown token
// with an error fails it.
func TestRevocationOfAnUnknownTokenNeedsItsControl(t *testing.T) {
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<!doctype html><html><body>Welcome</body></html>"))
	}))
	t.Cleanup(page.Close)
	clean, noop := startReference(t).URL, startReference(t, reference.RevokeNotHonoured).URL
	for _, tc := range []struct {
		description string
		url         string
		// noRefresh: no grant issues refresh tokens (the access token is
		// revoked and introspected instead); noIntrospection: nor is there
		// an introspection endpoint.
		noRefresh, noIntrospection bool
		want                       Status
		wantMessage                string
	}{
		{"a plain web page: not tested", page.URL, false, false, StatusNotTested, "a precondition failed"},
		{"an endpoint that revokes nothing: not tested", noop, false, false, StatusNotTested, "want a refusal"},
		{"an endpoint that answers an unknown token with an error: failed", startReference(t, reference.RevocationUnknownTokenError).URL, false, false, StatusFailed, "want 200"},
		{"the reference: passed", clean, false, false, StatusPassed, ""},
		{"no refresh tokens, a revoked access token introspects inactive: passed", clean, true, false, StatusPassed, ""},
		{"no refresh tokens, an endpoint that revokes nothing: not tested", noop, true, false, StatusNotTested, `"active": true, want false`},
		{"no refresh tokens and no introspection: not tested", clean, true, true, StatusNotTested, "nothing shows the endpoint revokes"},
	} {
		t.Run(tc.description, func(t *testing.T) {
			o := demoOptions(t, "rfc6749", tc.url)
			o.Tags = "@rfc7009-2.2"
			if tc.noRefresh {
				for _, g := range []string{profile.GrantAuthorizationCode, profile.GrantPassword} {
					gr := o.Profile.Grants[g]
					gr.RefreshToken = "forbidden"
					o.Profile.Grants[g] = gr
				}
			}
			if tc.noIntrospection {
				o.Profile.Introspection = nil
			}
			if tc.url == page.URL {
				o.TestClock = false
			}
			res, err := Run(t.Context(), o)
			if err != nil {
				t.Fatal(err)
			}
			sc := res.Scenarios()
			if len(sc) != 1 {
				t.Fatalf("%d scenarios ran, want the one @rfc7009-2.2", len(sc))
			}
			if sc[0].Status != tc.want || !strings.Contains(sc[0].Message, tc.wantMessage) {
				t.Errorf("%s: %s (%s), want %s with %q", sc[0].ID(), sc[0].Status, sc[0].Message, tc.want, tc.wantMessage)
			}
		})
	}
}

// TestNoFaultCountedTwiceWithoutRevocation: without a revocation endpoint
// (Ucommerce, and the rfc6749 profile with its revocation removed) a code
// replay that revokes nothing fails the one scenario that checks it, "Replaying
// a code revokes the tokens issued from it", once, as one root cause: the
// bearer check of RFC 7009 revocation does not apply (it used to replay the
// code as well and count the same fault a second time, under another rule).
func TestNoFaultCountedTwiceWithoutRevocation(t *testing.T) {
	ts := startReference(t, reference.ReplayNoRevoke)
	noRevocation := demoOptions(t, "rfc6749", ts.URL)
	noRevocation.Profile.Revocation = nil
	for _, tc := range []struct {
		description string
		opts        Options
	}{
		{"ucommerce", demoOptions(t, "ucommerce", ts.URL)},
		{"rfc6749 without its revocation endpoint", noRevocation},
	} {
		t.Run(tc.description, func(t *testing.T) {
			o := tc.opts
			o.SkipSlow = true
			res, err := Run(t.Context(), o)
			if err != nil {
				t.Fatal(err)
			}
			var failed []string
			for _, s := range res.Scenarios() {
				if s.Status == StatusFailed {
					failed = append(failed, s.Feature+" / "+s.Name)
				}
				if s.Name == "A revoked token is refused" && (s.Status != StatusSkipped || !strings.Contains(s.Message, "no revocation endpoint")) {
					t.Errorf("%s: %s (%s), want not applicable: no revocation endpoint", s.ID(), s.Status, s.Message)
				}
			}
			want := []string{"Authorization code grant / Replaying a code revokes the tokens issued from it"}
			if strings.Join(failed, "\n") != strings.Join(want, "\n") {
				t.Errorf("failed scenarios:\n  %s\nwant only:\n  %s", strings.Join(failed, "\n  "), want[0])
			}
			sum := SummaryOf(res, res.ExitCode(), outputs.RunInfo{})
			rcs := sum.Profiles[0].RootCauses
			if len(rcs) != 1 || len(rcs[0].Scenarios) != 1 || rcs[0].Rule != "rfc6749-4.1.2-replay-revokes" {
				t.Errorf("summary.json root causes = %+v, want one, rfc6749-4.1.2-replay-revokes in one scenario", rcs)
			}
		})
	}
}
