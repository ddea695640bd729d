// Package httpx is the harness's one HTTP layer towards a target: a bounded
// client that never follows redirects, the Exchange transcript type, transport
// errors in words (Describe), a reachability probe that says how far it got
// (Probe), and the loopback check (IsLoopback). It imports only the standard
// library; steps and load use it, the reference server does not.
//
// Everything a target sends is bounded: response header bytes
// (DefaultMaxHeaderBytes), body bytes after any transparent gzip inflation
// (DefaultMaxBody), and time (DefaultTimeout per request, from dialling to the
// last body byte).
package httpx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// Defaults for every exchange with a target.
const (
	// DefaultTimeout bounds one request, from dialling to the last body byte.
	DefaultTimeout = 10 * time.Second
	// DefaultMaxBody is the largest response body read (after inflation).
	DefaultMaxBody = 1 << 20
	// DefaultMaxHeaderBytes bounds the response's status line and headers.
	DefaultMaxHeaderBytes = 64 << 10
)

// ErrBodyTooLarge is returned (wrapped, with the limit) when a response body
// exceeds its bound.
var ErrBodyTooLarge = errors.New("response body too large")

// ErrHeaderTooLarge is returned (wrapped, with the limit) when the response
// headers exceed their bound.
var ErrHeaderTooLarge = errors.New("response header too large")

// Exchange is one recorded HTTP request and its response: the evidence a
// check shows when it fails.
type Exchange struct {
	Method     string
	URL        string
	ReqHeader  http.Header
	ReqBody    []byte
	Status     int
	StatusText string
	RespHeader http.Header
	RespBody   []byte
	Duration   time.Duration
	// Err is the transport error, if the exchange did not complete.
	Err error
}

// Header returns the first value of response header name.
func (e *Exchange) Header(name string) string {
	if e == nil || e.RespHeader == nil {
		return ""
	}
	return e.RespHeader.Get(name)
}

// Client sends requests to a target with every read and wait bounded. It
// never follows redirects: a check inspects them. It is safe for concurrent
// use.
type Client struct {
	hc        *http.Client
	timeout   time.Duration
	maxBody   int64
	maxHeader int64
}

// Option configures a Client.
type Option func(*Client)

// WithTimeout bounds each request (DefaultTimeout if d <= 0).
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// WithMaxBody bounds each response body (DefaultMaxBody if n <= 0).
func WithMaxBody(n int64) Option { return func(c *Client) { c.maxBody = n } }

// WithMaxHeaderBytes bounds each response's headers (DefaultMaxHeaderBytes if
// n <= 0).
func WithMaxHeaderBytes(n int64) Option { return func(c *Client) { c.maxHeader = n } }

// WithHTTPClient sends through hc's transport (a test's TLS roots, an injected
// dialer); its redirect policy and timeout are replaced, and an
// *http.Transport without a header bound gets one.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) {
		if hc != nil {
			cp := *hc
			c.hc = &cp
		}
	}
}

// New returns a Client.
func New(opts ...Option) *Client {
	c := &Client{}
	for _, o := range opts {
		o(c)
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.maxBody <= 0 {
		c.maxBody = DefaultMaxBody
	}
	if c.maxHeader <= 0 {
		c.maxHeader = DefaultMaxHeaderBytes
	}
	if c.hc == nil {
		c.hc = &http.Client{Transport: NewTransport(c.timeout, c.maxHeader)}
	} else if t, ok := c.hc.Transport.(*http.Transport); ok && t.MaxResponseHeaderBytes == 0 {
		t = t.Clone()
		t.MaxResponseHeaderBytes = c.maxHeader
		c.hc.Transport = t
	} else if c.hc.Transport == nil {
		c.hc.Transport = NewTransport(c.timeout, c.maxHeader)
	}
	c.hc.Timeout = 0 // per-request contexts bound each exchange, body included
	c.hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

// Timeout returns the bound of one request.
func (c *Client) Timeout() time.Duration { return c.timeout }

// NewTransport returns a transport with bounded waits (dialling, TLS
// handshake, response headers, each within timeout), response headers
// bounded to maxHeader bytes (DefaultMaxHeaderBytes if <= 0), and the proxy
// the environment names (http.ProxyFromEnvironment).
func NewTransport(timeout time.Duration, maxHeader int64) *http.Transport {
	if maxHeader <= 0 {
		maxHeader = DefaultMaxHeaderBytes
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	// HTTP_PROXY, HTTPS_PROXY and NO_PROXY (loopback targets never go through one).
	tr.Proxy = http.ProxyFromEnvironment
	tr.DialContext = (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}).DialContext
	tr.MaxIdleConnsPerHost = 64
	tr.TLSHandshakeTimeout = timeout
	tr.ResponseHeaderTimeout = timeout
	tr.MaxResponseHeaderBytes = maxHeader
	return tr
}

// Send sends one request and records it. A transport failure is an *Error
// that names the problem (see Describe); a body over the bound is
// ErrBodyTooLarge with the first bytes kept. The Exchange is returned either
// way, for the transcript.
func (c *Client) Send(ctx context.Context, method, url string, h http.Header, body []byte) (*Exchange, error) {
	return c.send(ctx, method, url, h, body, nil)
}

func (c *Client) send(ctx context.Context, method, url string, h http.Header, body []byte, tr *trace) (*Exchange, error) {
	ex := &Exchange{Method: method, URL: url, ReqHeader: h.Clone(), ReqBody: body}
	if ex.ReqHeader == nil {
		ex.ReqHeader = http.Header{}
	}
	rctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	if tr != nil {
		rctx = tr.with(rctx)
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(rctx, method, url, rd)
	if err != nil {
		ex.Err = fmt.Errorf("building %s %s: %w", method, url, err)
		return ex, ex.Err
	}
	req.Header = ex.ReqHeader.Clone()
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "oauthconf")
	}
	start := time.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		ex.Duration = time.Since(start)
		ex.Err = c.fail(method, url, tr, err)
		return ex, ex.Err
	}
	defer resp.Body.Close()
	ex.Status, ex.StatusText, ex.RespHeader = resp.StatusCode, resp.Status, resp.Header
	ex.RespBody, err = io.ReadAll(LimitBody(resp.Body, c.maxBody))
	ex.Duration = time.Since(start)
	switch {
	case errors.Is(err, ErrBodyTooLarge):
		ex.Err = fmt.Errorf("%s %s: %w", method, url, err)
	case err != nil:
		ex.Err = c.fail(method, url, tr, fmt.Errorf("reading the response body: %w", err))
	}
	return ex, ex.Err
}

func (c *Client) fail(method, url string, tr *trace, err error) error {
	return &Error{Method: method, URL: url, Timeout: c.timeout, MaxHeaderBytes: c.maxHeader, trace: tr, Err: err}
}

// LimitBody returns rc bounded to max bytes: reading past them fails with
// ErrBodyTooLarge, so that a caller reading to the end (or draining) stops
// there. Wrapping the body a transport hands out bounds a gzip-encoded body
// after inflation.
func LimitBody(rc io.ReadCloser, max int64) io.ReadCloser {
	return &limitedBody{rc: rc, left: max, max: max}
}

type limitedBody struct {
	rc        io.ReadCloser
	left, max int64
	over      bool
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.over {
		return 0, b.tooLarge()
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	if int64(n) > b.left {
		n, b.left, b.over = int(b.left), 0, true
		return n, b.tooLarge()
	}
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) tooLarge() error {
	return fmt.Errorf("%w: over %s", ErrBodyTooLarge, size(b.max))
}

func (b *limitedBody) Close() error { return b.rc.Close() }

// size writes n bytes in KiB or MiB when it is a whole number of them.
func size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Bounded is a RoundTripper that bounds each request to Timeout (if > 0),
// from sending to closing the body, and each response body to MaxBody bytes
// (if > 0; see LimitBody). It lets a client that reads bodies itself (vegeta)
// stop at the bound instead of draining, without an http.Client Timeout
// (which costs a goroutine per request for any RoundTripper other than
// *http.Transport).
type Bounded struct {
	Base    http.RoundTripper
	Timeout time.Duration
	MaxBody int64
	// Stop, if set, cancels every request in flight when it ends (a load
	// run's end: requests made without a context, as vegeta's are, still stop
	// then). Set it before the first request.
	Stop context.Context
}

// RoundTrip implements http.RoundTripper.
func (b *Bounded) RoundTrip(req *http.Request) (*http.Response, error) {
	cancel := context.CancelFunc(func() {})
	if b.Timeout > 0 || b.Stop != nil {
		ctx := req.Context()
		if b.Timeout > 0 {
			ctx, cancel = context.WithTimeout(ctx, b.Timeout)
		} else {
			ctx, cancel = context.WithCancel(ctx)
		}
		if b.Stop != nil {
			stop, release := context.AfterFunc(b.Stop, cancel), cancel
			cancel = func() { stop(); release() }
		}
		req = req.WithContext(ctx)
	}
	resp, err := b.Base.RoundTrip(req)
	if err != nil {
		cancel()
		return resp, &described{err, b.Timeout}
	}
	body := resp.Body
	if b.MaxBody > 0 {
		body = LimitBody(body, b.MaxBody)
	}
	resp.Body = cancelBody{body, cancel, b.Timeout}
	return resp, nil
}

// described is a transport error whose text is Describe's words ("timed out
// after 10s …" rather than "context deadline exceeded").
type described struct {
	err     error
	timeout time.Duration
}

func (d *described) Error() string { return Describe(&Error{Timeout: d.timeout, Err: d.err}) }
func (d *described) Unwrap() error { return d.err }

// cancelBody releases a request's context when its body is closed, and
// describes the errors of reading it.
type cancelBody struct {
	io.ReadCloser
	cancel  context.CancelFunc
	timeout time.Duration
}

func (c cancelBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	if err != nil && err != io.EOF && !errors.Is(err, ErrBodyTooLarge) {
		err = &described{fmt.Errorf("reading the response body: %w", err), c.timeout}
	}
	return n, err
}

func (c cancelBody) Close() error { err := c.ReadCloser.Close(); c.cancel(); return err }

// HTTPClient returns the client requests go through (to close its idle
// connections, say). Its redirect policy must not be changed.
func (c *Client) HTTPClient() *http.Client { return c.hc }
