package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// wait lets d pass: with the test clock it advances the target's clock
// (POST /_test/clock), otherwise it waits in real time, until ctx ends.
func (sc *scenario) wait(ctx context.Context, d time.Duration) error {
	if sc.t.opts.TestClock {
		body := fmt.Sprintf(`{"advance":%q}`, d.String())
		ex, err := sc.send(ctx, "POST", "/_test/clock", map[string][]string{"Content-Type": {"application/json"}}, []byte(body))
		if err != nil {
			return fmt.Errorf("advancing the test clock: %w", err)
		}
		if ex.Status != 200 {
			return fmt.Errorf("advancing the test clock: POST /_test/clock answered %s (is the target started with --test-clock?)", ex.StatusText)
		}
		return nil
	}
	fmt.Fprintf(sc.t.rec.out(), "  [%s] waiting %s in real time (%s)\n", sc.t.p.Name, d, sc.record.Name)
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("interrupted while waiting %s: %w", d, ctx.Err())
	}
}

// serverNow returns the target's idea of now: the test clock's time when the
// test clock is in use, else the response's Date header, else local time.
func (sc *scenario) serverNow(ctx context.Context, ex *Exchange) time.Time {
	if sc.t.opts.TestClock {
		cex, err := sc.send(ctx, http.MethodPost, "/_test/clock", http.Header{"Content-Type": {"application/json"}}, []byte(`{"advance":"0s"}`))
		if err == nil && cex.Status == http.StatusOK {
			var v struct {
				Now time.Time `json:"now"`
			}
			if json.Unmarshal(cex.RespBody, &v) == nil && !v.Now.IsZero() {
				return v.Now
			}
		}
	}
	if ex != nil {
		if d, err := http.ParseTime(ex.Header("Date")); err == nil {
			return d
		}
	}
	return time.Now()
}
