package load

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/oauthconf/oauthconf/internal/hostile"
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
				// The last requests are cut at the run's end (duration + a grace of one timeout).
				if !strings.Contains(e, "still unanswered when the run ended (--duration + 150ms grace)") {
					require.Contains(t, e, "timed out after 150ms", "the error says what happened, with the bound")
				}
			}
		})
	}
}

// TestRunEndsAtDurationPlusGrace checks that a run never overruns its
// duration by more than MaxGrace, whatever the timeout, against a target
// that accepts connections and never answers, and that Ctrl-C (a cancelled
// context) ends it at once rather than after the timeout.
func TestRunEndsAtDurationPlusGrace(t *testing.T) {
	hang := hostile.NeverAnswers(t)
	cases := []struct {
		description string
		duration    time.Duration
		cancelAfter time.Duration // 0: not interrupted
		within      time.Duration
	}{
		{"the run stops at duration plus the grace", 300 * time.Millisecond, 0, 300*time.Millisecond + MaxGrace + time.Second},
		{"Ctrl-C stops the run within a short grace, not the timeout", 30 * time.Second, 300 * time.Millisecond, 1500 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			o := demoOptions(t, hang, "rfc6749", ClientCredentials)
			o.Rate, o.Duration, o.Timeout = 20, tc.duration, 30*time.Second
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.cancelAfter > 0 {
				time.AfterFunc(tc.cancelAfter, cancel)
			}
			start := time.Now()
			rep, err := Run(ctx, o)
			took := time.Since(start)
			require.NoError(t, err)
			require.Less(t, took, tc.within, "the run overran its bound")
			require.Greater(t, rep.Requests, uint64(0))
			require.Zero(t, rep.SuccessRatio)
			require.Equal(t, tc.cancelAfter > 0, rep.Interrupted)
		})
	}
}
