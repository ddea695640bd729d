package steps

import (
	"net/http"
	"net/http/httptest"
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
