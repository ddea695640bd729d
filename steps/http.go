package steps

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/oauthconf/oauthconf/internal/httpx"
)

// Defaults for every HTTP exchange with a target.
const (
	// DefaultTimeout bounds one request, from dialling to the last body byte.
	DefaultTimeout = 10 * time.Second
	// MaxBody is the largest response body read; a larger one is an error.
	MaxBody = 1 << 20
	// MaxRedirects caps any redirect chain the suite follows on purpose (the
	// reachability probe); OAuth steps never follow redirects: they inspect them.
	MaxRedirects = 5
)

// ErrBodyTooLarge is returned when a response body exceeds MaxBody.
var ErrBodyTooLarge = fmt.Errorf("response body larger than %d bytes (1 MiB)", MaxBody)

// Exchange is one recorded HTTP request and its response: the evidence a
// scenario shows when it fails (see internal/httpx).
type Exchange = httpx.Exchange

// httpClient sends requests to one target: relative paths are resolved against
// the base URL, redirects are never followed, each request has a deadline and
// bodies are read up to MaxBody.
type httpClient struct {
	base    *url.URL
	x       *httpx.Client
	hc      *http.Client // x's, to close idle connections
	timeout time.Duration
}

// newHTTPClient returns a client for base. hc may carry a custom transport
// (e.g. a test's TLS roots); its redirect policy is replaced.
func newHTTPClient(base string, timeout time.Duration, hc *http.Client) (*httpClient, error) {
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err == nil && u.User != nil {
		return nil, fmt.Errorf("target URL must not carry credentials (user:password@host)")
	}
	if err == nil && (u.RawQuery != "" || u.Fragment != "" || u.ForceQuery) {
		return nil, fmt.Errorf("target URL must not carry a query or fragment: it is a base URL, the profile gives the paths")
	}
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("target %q: want an absolute http:// or https:// URL", base)
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	x := httpx.New(httpx.WithTimeout(timeout), httpx.WithMaxBody(MaxBody), httpx.WithHTTPClient(hc))
	return &httpClient{base: u, x: x, hc: x.HTTPClient(), timeout: timeout}, nil
}

// resolve turns a path (or absolute URL) into an absolute URL on the target.
func (c *httpClient) resolve(p string) string {
	if strings.HasPrefix(p, "http://") || strings.HasPrefix(p, "https://") {
		return p
	}
	return c.base.String() + p
}

// do sends one request and records it (see httpx.Client.Send). A transport
// failure is returned as an error that names the problem (httpx.Describe); the
// Exchange is still returned for the transcript.
func (c *httpClient) do(ctx context.Context, method, target string, h http.Header, body []byte) (*Exchange, error) {
	ex, err := c.x.Send(ctx, method, c.resolve(target), h, body)
	if errors.Is(err, httpx.ErrBodyTooLarge) {
		ex.Err = fmt.Errorf("%s %s: %w", method, ex.URL, ErrBodyTooLarge)
		return ex, ex.Err
	}
	return ex, err
}

// probe checks that the target answers HTTP at all, following at most
// MaxRedirects redirects from the base URL (see httpx.Client.Probe: its error
// says how far the request got). Any HTTP status counts as reachable.
func (c *httpClient) probe(ctx context.Context) error {
	return c.x.Probe(ctx, c.base.String()+"/", MaxRedirects)
}
