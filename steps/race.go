package steps

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"github.com/oauthconf/oauthconf/internal/httpx"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync"
	"sync/atomic"
	"time"
)

// The race scenarios (RFC 6749 §10.5 for codes, RFC 9700 §4.14.2 for rotated
// refresh tokens) send n identical requests for one single-use credential at
// once. A store that reads, checks and deletes in separate steps lets two
// through only sometimes (4–11 % of 16-way races on real servers, about 1 % on
// the reference's in-memory get-then-delete defects), so a race is repeated
// on fresh credentials, up to Options.RaceRounds of them within RaceBudget,
// stopping at the first round in which other than exactly one request
// succeeded.
const (
	DefaultRaceRounds = 500
	RaceBudget        = 3 * time.Second
	// raceHoldWait bounds how long a burst waits for every request to be
	// written up to its last byte before it releases those that are.
	raceHoldWait = 2 * time.Second
)

// raceResult is the round of a race the Then step judges: the first round
// that did not have exactly one success, else the last one.
type raceResult struct {
	exs    []*Exchange
	round  int // 1-based
	reused int // requests of the round sent on a connection opened before it
}

// successes returns the exchanges of the round answered 200, and the others.
func (r *raceResult) successes() (ok, refused []*Exchange) {
	for _, ex := range r.exs {
		if ex.Status == http.StatusOK {
			ok = append(ok, ex)
		} else {
			refused = append(refused, ex)
		}
	}
	return ok, refused
}

// runRace runs up to Options.RaceRounds bursts of n copies of the request next
// builds; next(ctx, round) obtains a fresh credential for every round after
// the first (its failure is a failed precondition). The judged round is kept
// in s.race.
func (s *scenario) runRace(ctx context.Context, n int, next func(ctx context.Context, round int) (*tokenRequest, error)) error {
	b, err := newBurster(s.t.client)
	if err != nil {
		return harnessf("race: %v", err)
	}
	defer b.close()
	deadline := time.Now().Add(RaceBudget)
	for round := 0; round < s.t.opts.RaceRounds && (round == 0 || time.Now().Before(deadline)); round++ {
		tr, err := next(ctx, round)
		if err != nil {
			return control(err)
		}
		exs, reused, err := b.burst(ctx, n, tr)
		s.race = &raceResult{exs: exs, round: round + 1, reused: reused}
		if err != nil {
			for _, ex := range exs {
				if ex != nil && ex.Err != nil {
					s.exchanges = append(s.exchanges, ex)
					break
				}
			}
			return err
		}
		if ok, _ := s.race.successes(); len(ok) != 1 {
			break
		}
	}
	return nil
}

// judgeRace judges s.race: more than one success breaks rule (what names
// the requests, cite the section); none means the credential could not be
// used at all, a failed precondition; then every other request must be
// refused with one of codes, a separate check whose failure says that the
// race itself held.
func (s *scenario) judgeRace(what, cite, grant, codes string) error {
	r := s.race
	if r == nil {
		return harnessf("no race to judge (no race step ran before this Then step)")
	}
	ok, refused := r.successes()
	for _, ex := range ok {
		if t, err := parseTokenResponse(ex, grant); err == nil {
			s.red.add(t.str("access_token"), t.str("refresh_token"))
		}
	}
	how := fmt.Sprintf("round %d, released together, %d of %d on connections opened before the burst", r.round, r.reused, len(r.exs))
	switch {
	case len(ok) > 1:
		s.exchanges = append(s.exchanges, ok...)
		return failf("%d of %d concurrent %s succeeded, want at most 1 (%s; %s)", len(ok), len(r.exs), what, cite, how)
	case len(ok) == 0:
		s.exchanges = append(s.exchanges, refused[0])
		return control(fmt.Errorf("none of %d concurrent %s succeeded (%s), so the race was not tested: the first answer was %s%s", len(r.exs), what, how, refused[0].StatusText, bodyHint(refused[0])))
	}
	for _, ex := range refused {
		if err := checkErrorCode(s.t.p, ex, codes); err != nil {
			s.exchanges = append(s.exchanges, ex)
			var f findingError
			var v violation
			if errors.As(err, &f) || (errors.As(err, &v) && v.cause != "") {
				return err // a status finding, or a server error: its own root cause
			}
			return failf("exactly 1 of %d concurrent %s succeeded, as %s requires, but a refused one was answered wrongly: %v", len(r.exs), what, cite, err)
		}
	}
	return nil
}

// burster sends bursts of identical requests over a transport of its own
// whose connections are opened ahead of the burst and which holds back the
// last byte of every request until all of them are written: the server then
// receives the n requests complete within microseconds of each other
// ("last-byte synchronisation"), however far apart the goroutines that
// wrote them ran. HTTP/1.1 only (HTTP/2 would multiplex one connection).
type burster struct {
	c    *httpClient // sends through tr, recording as c.do does
	tr   *http.Transport
	gate atomic.Pointer[gate]
	warm bool // the pool holds a connection for every request of the next burst
}

// gate holds the last byte of each write until open is closed; all is
// closed once want writes are held.
type gate struct {
	open, all chan struct{}
	want      atomic.Int32
}

func newGate(n int) *gate {
	g := &gate{open: make(chan struct{}), all: make(chan struct{})}
	g.want.Store(int32(n))
	return g
}

// hold counts one more write held at the gate and waits for it to open.
func (g *gate) hold() {
	if g.want.Add(-1) == 0 {
		close(g.all)
	}
	<-g.open
}

// newBurster returns a burster for c's target, with a copy of c's transport
// (its TLS settings and proxy), or of http.DefaultTransport when c has none.
func newBurster(c *httpClient) (*burster, error) {
	base, ok := c.hc.Transport.(*http.Transport)
	if c.hc.Transport == nil {
		base, ok = http.DefaultTransport.(*http.Transport)
	}
	if !ok {
		return nil, fmt.Errorf("the HTTP client's transport is a %T, not an *http.Transport", c.hc.Transport)
	}
	b := &burster{tr: base.Clone()}
	dial := b.tr.DialContext
	if dial == nil {
		dial = (&net.Dialer{Timeout: c.timeout, KeepAlive: 30 * time.Second}).DialContext
	}
	b.tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &gatedConn{Conn: conn, b: b}, nil
	}
	b.tr.DialTLSContext = nil
	b.tr.ForceAttemptHTTP2 = false
	b.tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	b.tr.MaxIdleConnsPerHost, b.tr.MaxConnsPerHost = 64, 0
	hc := *c.hc
	hc.Transport = b.tr
	x := httpx.New(httpx.WithTimeout(c.timeout), httpx.WithMaxBody(MaxBody), httpx.WithHTTPClient(&hc))
	b.c = &httpClient{base: c.base, x: x, hc: x.HTTPClient(), timeout: c.timeout}
	return b, nil
}

func (b *burster) close() { b.tr.CloseIdleConnections() }

// gatedConn is a connection whose writes, while a gate is set, stop before
// their last byte until the gate opens.
type gatedConn struct {
	net.Conn
	b *burster
}

func (g *gatedConn) Write(p []byte) (int, error) {
	gt := g.b.gate.Load()
	if gt == nil || len(p) < 2 {
		return g.Conn.Write(p)
	}
	n, err := g.Conn.Write(p[:len(p)-1])
	if err != nil {
		return n, err
	}
	gt.hold()
	m, err := g.Conn.Write(p[len(p)-1:])
	return n + m, err
}

// burst opens n connections if the pool may lack them, then sends n copies of
// tr at once and returns the answers, with how many went over a connection
// opened before the burst. An error is the first transport failure.
func (b *burster) burst(ctx context.Context, n int, tr *tokenRequest) ([]*Exchange, int, error) {
	if !b.warm {
		b.prewarm(ctx, n)
	}
	gt := newGate(n)
	b.gate.Store(gt)
	exs, errs := make([]*Exchange, n), make([]error, n)
	var reused atomic.Int32
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			trace := &httptrace.ClientTrace{GotConn: func(ci httptrace.GotConnInfo) {
				if ci.Reused {
					reused.Add(1)
				}
			}}
			exs[i], errs[i] = b.c.do(httptrace.WithClientTrace(ctx, trace), tr.Method, tr.Path, tr.Header, tr.Body)
		}()
	}
	b.release(gt)
	wg.Wait()
	b.gate.Store(nil)
	b.warm = int(reused.Load()) == n
	for _, err := range errs {
		if err != nil {
			return exs, int(reused.Load()), err
		}
	}
	return exs, int(reused.Load()), nil
}

// release opens gt once every request is held at it, or after raceHoldWait
// (a request that had to dial, or wrote in pieces, goes when it can).
func (b *burster) release(gt *gate) {
	t := time.NewTimer(raceHoldWait)
	defer t.Stop()
	select {
	case <-gt.all:
	case <-t.C:
	}
	close(gt.open)
}

// prewarm opens n keep-alive connections to the target with n concurrent
// GET / requests (their answers are not judged), so that the burst does not
// queue behind TCP and TLS handshakes.
func (b *burster) prewarm(ctx context.Context, n int) {
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = b.c.do(ctx, http.MethodGet, "/", nil, nil)
		}()
	}
	wg.Wait()
}
