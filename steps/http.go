package steps

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/oauthconf/oauthconf/internal/httpx"
	"github.com/oauthconf/oauthconf/internal/redact"
	"github.com/oauthconf/oauthconf/profile"
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

// redactor hides secrets in transcripts and messages (see internal/redact):
// every wire form of the credentials ([REDACTED]) and of the token and code
// values seen (shortened to a prefix), then the values of secret parameters,
// headers and JSON fields whatever their origin.
type redactor struct {
	red *redact.Redactor // nil until a credential or token is known
}

// newRedactor returns a redactor that knows the secrets of creds.
func newRedactor(creds profile.Credentials) redactor { return redactor{red: creds.Redactor()} }

// add records token or code values (8 bytes or more) to shorten.
func (r *redactor) add(vals ...string) {
	if r.red == nil {
		r.red = redact.New()
	}
	r.red.Tokens(vals...)
}

// keeping returns a copy of r that leaves phrase readable (see redact.Keep).
func (r *redactor) keeping(phrase string) *redactor {
	return &redactor{red: r.red.Clone().Keep(phrase)}
}

// text returns s redacted, with control characters other than newline and
// tab escaped (redact.EscapeControl): messages quote what targets send, and
// they are printed and written to every report.
func (r *redactor) text(s string) string { return redact.EscapeControl(r.red.Text(s)) }

// transcript renders exchanges as text with secrets redacted.
func transcript(r *redactor, exs []*Exchange) string {
	var b strings.Builder
	for i, ex := range exs {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "> %s %s\n", ex.Method, line(r, ex.URL))
		writeHeaders(&b, "> ", r, ex.ReqHeader)
		if len(ex.ReqBody) > 0 {
			b.WriteString(">\n")
			writeBody(&b, "> ", r, ex.ReqBody)
		}
		if ex.Status == 0 {
			fmt.Fprintf(&b, "< (no response: %s)\n", line(r, fmt.Sprint(ex.Err)))
			continue
		}
		fmt.Fprintf(&b, "< %s (%s)\n", line(r, ex.StatusText), ex.Duration.Round(time.Millisecond))
		writeHeaders(&b, "< ", r, ex.RespHeader)
		if len(ex.RespBody) > 0 {
			b.WriteString("<\n")
			writeBody(&b, "< ", r, ex.RespBody)
		}
		if ex.Err != nil {
			fmt.Fprintf(&b, "< (error: %s)\n", line(r, ex.Err.Error()))
		}
	}
	return b.String()
}

func writeHeaders(b *strings.Builder, prefix string, r *redactor, h http.Header) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			fmt.Fprintf(b, "%s%s: %s\n", prefix, redact.EscapeLine(k), line(r, redact.HeaderValue(k, v)))
		}
	}
}

// line returns s redacted and cut to maxTranscriptLine, with control
// characters escaped: one line of a transcript.
func line(r *redactor, s string) string {
	s, cut := r.red.Cut(s, maxTranscriptLine)
	if cut {
		s += "…"
	}
	return redact.EscapeLine(s)
}

// maxTranscriptBody bounds how much of a body a transcript shows, and
// maxTranscriptLine a header value or URL.
const (
	maxTranscriptBody = 4096
	maxTranscriptLine = 1024
)

// writeBody shows body redacted, then cut (so that a secret across the cut
// never shows its first half), with control characters escaped.
func writeBody(b *strings.Builder, prefix string, r *redactor, body []byte) {
	s, cut := r.red.Cut(string(body), maxTranscriptBody)
	s = redact.EscapeControl(s)
	for _, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		b.WriteString(prefix + line + "\n")
	}
	if cut {
		fmt.Fprintf(b, "%s … (%d more bytes)\n", prefix, max(0, len(body)-maxTranscriptBody))
	}
}
