package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// The test clock protocol of a target started with --test-clock (the
// reference server's WithTestClock): POST /_test/clock with
// {"advance":"<Go duration>"} moves its clock forward and answers 200 with
// {"now":"<RFC 3339 time>"}; advancing by 0s only reads the time.

// advanceClock moves the target's test clock forward by d and returns its
// new time (zero if the answer does not say).
func (s *scenario) advanceClock(ctx context.Context, d time.Duration) (time.Time, error) {
	body := fmt.Sprintf(`{"advance":%q}`, d.String())
	ex, err := s.send(ctx, http.MethodPost, "/_test/clock", http.Header{"Content-Type": {"application/json"}}, []byte(body))
	if err != nil {
		return time.Time{}, fmt.Errorf("advancing the test clock: %w", err)
	}
	if ex.Status != http.StatusOK {
		return time.Time{}, fmt.Errorf("advancing the test clock: POST /_test/clock answered %s (is the target started with --test-clock?)", ex.StatusText)
	}
	var v struct {
		Now time.Time `json:"now"`
	}
	_ = json.Unmarshal(ex.RespBody, &v) // an answer without the time still advanced the clock
	return v.Now, nil
}

// wait lets d pass: with the test clock it advances the target's clock,
// otherwise it waits in real time, until ctx ends.
func (s *scenario) wait(ctx context.Context, d time.Duration) error {
	if s.t.opts.TestClock {
		_, err := s.advanceClock(ctx, d)
		return err
	}
	fmt.Fprintf(s.t.rec.out(), "  [%s] waiting %s in real time (%s)\n", s.t.p.Name, d, s.record.Name)
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
func (s *scenario) serverNow(ctx context.Context, ex *Exchange) time.Time {
	if s.t.opts.TestClock {
		if now, err := s.advanceClock(ctx, 0); err == nil && !now.IsZero() {
			return now
		}
	}
	if ex != nil {
		if d, err := http.ParseTime(ex.Header("Date")); err == nil {
			return d
		}
	}
	return time.Now()
}
