package load

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestLatenciesAreOfValidResponses: a run whose invalid answers are slow
// (40ms) and valid ones fast reports the valid ones' latencies, overall and
// for its step, in report.json and on the terminal; merging its results.bin
// gives the same figures; with no valid answer there are none (n/a), nor
// on the progress line.
func TestLatenciesAreOfValidResponses(t *testing.T) {
	cases := []struct {
		description string
		invalid     func(n int64) bool
		wantText    string
	}{
		{"every third answer is slow and invalid", func(n int64) bool { return n%3 == 0 }, "Step token          requests"},
		{"every answer is slow and invalid", func(int64) bool { return true }, "p50 n/a  p99 n/a  max n/a"},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			var n atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.invalid(n.Add(1)) {
					time.Sleep(40 * time.Millisecond)
					_, _ = w.Write([]byte(`{}`))
					return
				}
				_, _ = w.Write([]byte(`{"access_token":"tok","token_type":"Bearer"}`))
			}))
			defer srv.Close()
			o := demoOptions(t, srv.URL, "rfc6749", ClientCredentials)
			var progress strings.Builder // written by Run's progress goroutine, read once Run returned
			o.Rate, o.Duration, o.OutDir, o.Progress = 60, 1300*time.Millisecond, t.TempDir(), &progress
			rep, err := Run(context.Background(), o)
			require.NoError(t, err)
			var text strings.Builder
			require.NoError(t, WriteText(&text, rep))
			require.Contains(t, text.String(), tc.wantText)
			merged, err := Merge([]string{filepath.Join(o.OutDir, "load", ClientCredentials, "results.bin")}, MergeOptions{})
			require.NoError(t, err)
			require.Equal(t, rep.Latencies, merged.Latencies, "a merge computes them as the run did")
			require.Equal(t, rep.Steps["token"].Latencies, merged.Steps["token"].Latencies)
			if rep.SuccessRatio == 0 {
				require.Nil(t, rep.Latencies, "no valid response: no latency that looks measured")
				require.Nil(t, rep.Steps["token"].Latencies)
				for _, tp := range rep.Timeline {
					require.Zero(t, tp.P50+tp.P99, "nor in the timeline (report.json omits them)")
				}
				require.Contains(t, text.String(), "Latencies     [min, mean, 50, 90, 95, 99, max]  n/a (no valid response)")
				require.Contains(t, progress.String(), "p50 n/a       p99 n/a", "nor on the progress line")
				return
			}
			require.NotNil(t, rep.Latencies)
			require.Less(t, rep.Latencies.P99, int64(40*time.Millisecond), "the p99 is of the fast valid answers")
			require.Equal(t, rep.Latencies, rep.Steps["token"].Latencies, "one step: its latencies are the run's")
			require.Contains(t, text.String(), "p99 "+ms(rep.Latencies.P99)+"  max")
			for _, tp := range rep.Timeline {
				require.Equal(t, tp.Requests > tp.Errors, tp.P99 > 0, "a second with a valid response has its latencies: %+v", tp)
			}
		})
	}
}
