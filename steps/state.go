package steps

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/oauthconf/oauthconf/profile"
)

// target is what every scenario of one run shares: immutable after the run
// starts, so safe under godog's concurrency.
type target struct {
	opts   Options
	p      *profile.Profile
	creds  profile.Credentials
	client *httpClient
	rec    *recorder
}

// scenarioKey is the private context key of a scenario's state.
type scenarioKey struct{}

// scenario is the state of one running scenario. godog runs the steps of a
// scenario one after another, so it needs no lock; it lives in the scenario's
// context.Context, never in package state.
type scenario struct {
	t      *target
	record *ScenarioResult
	skip   string // reason to skip every step, decided before the first one

	red       redactor
	exchanges []*Exchange
	last      *Exchange // the response the Then steps look at

	// token endpoint
	token      *tokenResponse
	tokens     []*tokenResponse
	grant      string
	access     string
	refresh    string
	oldRefresh string

	// authorization code flow
	auth         *Exchange
	rawCode      string // the code as it appears in Location
	code         string // decoded once
	codeRedirect string
	codeClient   clientCreds
	verifier     string
	noPKCE       bool // this authorization request goes without the challenge pkce: required adds
	state        string
	concurrent   []*Exchange

	// introspection: the token the negative checks ask about, and its kind
	probe, probeKind string
	lastIntrospected string // the kind of token the last introspection asked about

	// protected resources and Elastic Path user tokens
	userTokens map[string]string
}

// fromCtx returns the scenario state of ctx.
func fromCtx(ctx context.Context) *scenario {
	sc, _ := ctx.Value(scenarioKey{}).(*scenario)
	return sc
}

// send performs one exchange and records it in the scenario's transcript.
func (sc *scenario) send(ctx context.Context, method, path string, h map[string][]string, body []byte) (*Exchange, error) {
	ex, err := sc.t.client.do(ctx, method, path, h, body)
	sc.exchanges = append(sc.exchanges, ex)
	return ex, err
}

// transcript renders the scenario's exchanges with secrets redacted.
func (sc *scenario) transcript() string { return transcript(&sc.red, sc.exchanges) }

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

// recorder collects scenario results of one run and prints progress; safe for
// concurrent use by godog's scenario goroutines.
type recorder struct {
	mu      sync.Mutex
	w       io.Writer
	results []*ScenarioResult
	verbose bool
}

func (r *recorder) out() io.Writer { return lockedWriter{r} }

type lockedWriter struct{ r *recorder }

func (l lockedWriter) Write(p []byte) (int, error) {
	l.r.mu.Lock()
	defer l.r.mu.Unlock()
	return l.r.w.Write(p)
}

func (r *recorder) add(s *ScenarioResult) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.results = append(r.results, s)
}

// fail marks the scenario failed with the first failure's message.
func (s *ScenarioResult) fail(msg, tr string) {
	if s.Status == StatusFailed || s.Status == StatusError {
		return
	}
	s.Status, s.Message, s.Transcript = StatusFailed, msg, tr
}

// errorWith marks the scenario errored: the harness, not the target, failed.
func (s *ScenarioResult) errorWith(msg, tr string) {
	if s.Status == StatusFailed || s.Status == StatusError {
		return
	}
	s.Status, s.Message, s.Transcript = StatusError, msg, tr
}

// skipWith marks the scenario skipped with reason, unless it already failed.
func (s *ScenarioResult) skipWith(reason string) {
	if s.Status == StatusFailed || s.Status == StatusError || s.Status == StatusSkipped {
		return
	}
	s.Status, s.Message = StatusSkipped, reason
}
