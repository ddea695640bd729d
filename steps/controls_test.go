package steps

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestNoScenarioPassesAgainstAServerThatRefusesEverything: a target that is not
// an OAuth server (404 everywhere) or refuses every request with a
// well-formed error must not earn a single pass. Negative checks carry a
// control step (the unfaulted request must succeed first), so a refusal for
// the wrong reason is not counted as a kept rule.
func TestNoScenarioPassesAgainstAServerThatRefusesEverything(t *testing.T) {
	cases := []struct {
		description string
		handler     http.HandlerFunc
	}{
		{"404 for every path", http.NotFound},
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
