package load

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestSlowTargetTimesOut checks that Options.Timeout bounds every request, on
// vegeta's own path (single-step scenarios) and through the response-reading
// transport (multi-step scenarios), against a fake that never answers in time.
func TestSlowTargetTimesOut(t *testing.T) {
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	t.Cleanup(func() { close(release); slow.Close() })
	cases := []struct {
		description string
		scenario    string
	}{
		{"single-step client_credentials", ClientCredentials},
		{"multi-step authorization_code", AuthorizationCode},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			o := demoOptions(t, slow.URL, "rfc6749", tc.scenario)
			o.Rate, o.Duration, o.Timeout = 20, 400*time.Millisecond, 150*time.Millisecond
			start := time.Now()
			rep, err := Run(context.Background(), o)
			require.NoError(t, err)
			require.Less(t, time.Since(start), 3*time.Second, "the run ends about its duration plus one timeout")
			require.Greater(t, rep.Requests, uint64(0))
			require.Zero(t, rep.SuccessRatio)
			require.NotEmpty(t, rep.Errors)
			for _, e := range rep.Errors {
				require.Contains(t, e, "timed out after 150ms", "the error says what happened, with the bound")
			}
		})
	}
}
