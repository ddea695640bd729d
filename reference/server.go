// Package reference is the bundled reference authorization server. It speaks four
// dialects on one listener (Ucommerce, Shopware, Elastic Path and a strict RFC 6749
// one), each under its documented paths, with an injectable clock and a catalogue
// of deliberate defects (see Defects) that prove the conformance suite able to
// fail. The RFC 6749 dialect also publishes RFC 8414 metadata, can put sign-in
// and consent pages in front of its authorization endpoint (WithLogin) and can
// sign with a published key pair (WithSigningAlg, RFC 7517 JWKS).
// docs/reference-server.md describes the wire behaviour.
//
// The package implements the OAuth wire format on its own: it imports nothing of
// steps, load, reports or profile.
package reference

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// DefaultPurgeInterval is how often expired codes and tokens are dropped.
const DefaultPurgeInterval = 30 * time.Second

// Option configures a Server.
type Option func(*options)

type options struct {
	clock         Clock
	testClock     bool
	defects       defectSet
	maxEntries    int
	purgeInterval time.Duration
	login         LoginMode
	signingAlg    string
}

// WithClock sets the clock every expiry decision uses (default: WallClock).
func WithClock(c Clock) Option { return func(o *options) { o.clock = c } }

// WithTestClock makes the server's clock an OffsetClock over the configured
// clock and serves POST /_test/clock ({"advance":"61s"}) to advance it. Without
// this option that path does not exist.
func WithTestClock() Option { return func(o *options) { o.testClock = true } }

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

// WithMaxEntries bounds each in-memory store (default DefaultMaxEntries).
func WithMaxEntries(n int) Option { return func(o *options) { o.maxEntries = n } }

// WithPurgeInterval sets how often expired state is purged in the background
// (default DefaultPurgeInterval; 0 or less disables the background purge).
func WithPurgeInterval(d time.Duration) Option { return func(o *options) { o.purgeInterval = d } }

// Server is the reference authorization server; it is an http.Handler, safe for
// concurrent use. Call Close to stop its background purging.
type Server struct {
	cfg       Config
	clock     Clock
	testClock *OffsetClock
	defects   defectSet
	mux       *http.ServeMux

	uc  *ucommerce
	sw  *shopware
	ep  *elasticPath
	rfc *rfc6749

	codes   *ttlStore[*codeEntry]
	refresh *ttlStore[*refreshEntry]
	opaque  *ttlStore[*opaqueEntry]
	revoked *ttlStore[revokedEntry]

	// sameToken caches one token response per client for the tokens-not-unique defect.
	sameToken sync.Map

	stop     chan struct{}
	stopOnce sync.Once
}

// New returns a server for cfg. It fails when cfg does not validate or a defect
// is not in the catalogue.
func New(cfg Config, opts ...Option) (*Server, error) {
	o := options{clock: WallClock{}, purgeInterval: DefaultPurgeInterval}
	for _, opt := range opts {
		opt(&o)
	}
	for d := range o.defects {
		if d.Describe() == "" {
			return nil, fmt.Errorf("reference: unknown defect %q", d)
		}
		if (d.Needs() == NeedsLogin && o.login == LoginNone) || (d.Needs() == NeedsSigningAlg && o.signingAlg == "") ||
			(d.Needs() == NeedsRequirePKCE && !cfg.RFC6749.RequirePKCE) {
			return nil, fmt.Errorf("reference: defect %s changes nothing without the %s mode (serve --%s)", d, d.Needs(), d.Needs())
		}
	}
	if _, err := ParseLoginMode(string(o.login)); err != nil {
		return nil, fmt.Errorf("reference: %w", err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("reference: %w", err)
	}
	s := &Server{
		cfg:     cfg,
		clock:   o.clock,
		defects: o.defects,
		mux:     http.NewServeMux(),
		codes:   newTTLStore[*codeEntry](o.maxEntries),
		refresh: newTTLStore[*refreshEntry](o.maxEntries),
		opaque:  newTTLStore[*opaqueEntry](o.maxEntries),
		revoked: newTTLStore[revokedEntry](o.maxEntries),
		stop:    make(chan struct{}),
	}
	if o.testClock {
		s.testClock = NewOffsetClock(o.clock)
		s.clock = s.testClock
		s.mux.HandleFunc("/_test/clock", s.handleTestClock)
	}
	s.uc = newUcommerce(s, cfg.Ucommerce)
	s.sw = newShopware(s, cfg.Shopware)
	s.ep = newElasticPath(s, cfg.ElasticPath)
	s.rfc = newRFC6749(s, cfg.RFC6749)
	if err := s.rfc.setup(o); err != nil {
		return nil, fmt.Errorf("reference: %w", err)
	}
	s.uc.routes(s.mux)
	s.sw.routes(s.mux)
	s.ep.routes(s.mux)
	s.rfc.routes(s.mux)
	s.mux.HandleFunc("/{$}", s.handleIndex)
	if o.purgeInterval > 0 {
		go s.purgeLoop(o.purgeInterval)
	}
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Close stops the server's background work. It does not close listeners.
func (s *Server) Close() { s.stopOnce.Do(func() { close(s.stop) }) }

// Now returns the server's current time (moved by the test clock, if any).
func (s *Server) Now() time.Time { return s.clock.Now() }

func (s *Server) now() time.Time { return s.clock.Now() }

func (s *Server) has(d Defect) bool { return s.defects.has(d) }

func (s *Server) purgeLoop(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.Purge()
		}
	}
}

// handleTestClock serves POST /_test/clock {"advance":"61s"} and GET /_test/clock.
func (s *Server) handleTestClock(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
	case http.MethodPost:
		var req struct {
			Advance string `json:"advance"`
		}
		body, _ := io.ReadAll(io.LimitReader(r.Body, 4096))
		if err := json.Unmarshal(body, &req); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": `want {"advance":"61s"}`})
			return
		}
		d, err := time.ParseDuration(req.Advance)
		if err != nil || d < 0 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("advance %q is not a positive Go duration", req.Advance)})
			return
		}
		s.testClock.Advance(d)
	default:
		w.Header().Set("Allow", "GET, POST")
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "use GET or POST"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"now": s.now().UTC().Format(time.RFC3339Nano)})
}

// handleIndex lists the dialects and their endpoints.
func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	defects := make([]string, 0, len(s.defects))
	for _, d := range Defects() {
		if s.has(d) {
			defects = append(defects, string(d))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"server":  "oauthconf reference authorization server",
		"defects": defects,
		"dialects": map[string]any{
			"ucommerce":   []string{"GET /api/v1/oauth/connect", "POST /api/v1/oauth/token", "GET /api/v1/price-groups"},
			"shopware":    []string{"POST /api/oauth/token", "GET /api/_info/version"},
			"elasticpath": []string{"POST /oauth/access_token", "POST /v2/customers/tokens", "POST /v2/account-members/tokens", "GET /catalog/products", "POST /v2/products", "GET /v2/orders"},
			"rfc6749":     s.rfc.endpoints(),
		},
		"test_clock": s.testClock != nil,
		"login":      string(s.rfc.loginMode()),
	})
}

// tokenEndpoint returns the handler of a dialect's token endpoint: POST only
// (RFC 6749 §3.2), parameters parsed, dispatched to the grant.
func (s *Server) tokenEndpoint(d dialect, rules bodyRules, grants map[string]grantFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost && !(r.Method == http.MethodGet && s.has(TokenGETAllowed)) {
			w.Header().Set("Allow", "POST")
			d.writeError(w, &tokenRequest{r: r}, &oauthError{code: "invalid_request", desc: "the token endpoint accepts only POST", status: http.StatusMethodNotAllowed})
			return
		}
		tr, e := s.readTokenRequest(w, r, rules)
		if e != nil {
			d.writeError(w, tr, e)
			return
		}
		if tr.grant == "" {
			d.writeError(w, tr, s.missing(d, "grant_type"))
			return
		}
		g, ok := grants[tr.grant]
		if !ok {
			d.writeError(w, tr, errUnsupportedGrant(tr.grant))
			return
		}
		g(w, tr, d)
	}
}

// missing returns the error for a missing required parameter, or the 500 of the
// missing-param-500 defect.
func (s *Server) missing(d dialect, param string) *oauthError {
	if s.has(MissingParam500) {
		return &oauthError{code: "server_error", desc: "internal server error", status: http.StatusInternalServerError}
	}
	return errMissing(param)
}
