// Package reference is the bundled reference authorization server. It speaks four
// dialects on one listener (Ucommerce, Shopware, Elastic Path and a strict RFC 6749
// one), each under its documented paths, with an injectable clock and a catalogue
// of deliberate defects (see Defects) that prove the conformance suite able to
// fail. docs/reference-server.md describes the wire behaviour.
//
// The package implements the OAuth wire format on its own: it imports nothing of
// steps, load, reports or profile.
package reference

import (
	"fmt"
	"net/http"
)

// Option configures a Server.
type Option func(*options)

type options struct {
	clock     Clock
	testClock *OffsetClock
	defects   defectSet
}

// WithClock sets the clock every expiry decision uses (default: WallClock).
func WithClock(c Clock) Option { return func(o *options) { o.clock = c } }

// WithTestClock makes the server's clock an OffsetClock and serves
// POST /_test/clock ({"advance":"61s"}) to advance it. Without this option that
// path does not exist.
func WithTestClock() Option {
	return func(o *options) { o.testClock = NewOffsetClock(o.clock) }
}

// WithDefects switches on deliberate deviations from the documented behaviour.
func WithDefects(ds ...Defect) Option {
	return func(o *options) {
		if o.defects == nil {
			o.defects = defectSet{}
		}
		for _, d := range ds {
			o.defects[d] = true
		}
	}
}

// Server is the reference authorization server; it is an http.Handler. Call
// Close to stop its background purging.
type Server struct {
	cfg  Config
	opts options
	mux  *http.ServeMux
}

// New returns a server for cfg. It fails when cfg does not validate or a defect
// is not in the catalogue.
func New(cfg Config, opts ...Option) (*Server, error) {
	o := options{clock: WallClock{}}
	for _, opt := range opts {
		opt(&o)
	}
	if o.testClock != nil {
		o.clock = o.testClock
	}
	for d := range o.defects {
		if d.Describe() == "" {
			return nil, fmt.Errorf("reference: unknown defect %q", d)
		}
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("reference: %w", err)
	}
	s := &Server{cfg: cfg, opts: o, mux: http.NewServeMux()}
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Close stops the server's background work. It does not close listeners.
func (s *Server) Close() {}
