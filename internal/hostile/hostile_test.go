package hostile

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

// endedEarly: the request failed, and not by the test's deadline.
func endedEarly(err error) bool { return err != nil && !errors.Is(err, context.DeadlineExceeded) }

func TestServersMisbehaveAsNamed(t *testing.T) {
	cases := []struct {
		description string
		start       func(*testing.T) string
		check       func(err error) bool
	}{
		{"NeverAnswers lets a request time out", NeverAnswers, func(err error) bool { return errors.Is(err, context.DeadlineExceeded) }},
		{"Resets ends a request without an answer, not by a timeout", Resets, endedEarly},
		{"HangsUp ends a request without an answer, not by a timeout", HangsUp, endedEarly},
		{"Refused refuses the connection", Refused, func(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			base := tc.start(t)
			if !strings.HasPrefix(base, "http://127.0.0.1:") {
				t.Fatalf("base %q is not on loopback", base)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/token", nil)
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				resp.Body.Close()
			}
			if !tc.check(err) {
				t.Errorf("err = %v", err)
			}
		})
	}
}
