package steps

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

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
// scenario shows when it fails.
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

// httpClient sends requests to one target: relative paths are resolved against
// the base URL, redirects are never followed, each request has a deadline and
// bodies are read up to MaxBody.
type httpClient struct {
	base    *url.URL
	hc      *http.Client
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
	var c http.Client
	if hc != nil {
		c = *hc
	} else {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 64
		tr.TLSHandshakeTimeout = timeout
		tr.ResponseHeaderTimeout = timeout
		c.Transport = tr
	}
	c.Timeout = 0 // per-request contexts bound each exchange
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &httpClient{base: u, hc: &c, timeout: timeout}, nil
}

// resolve turns a path (or absolute URL) into an absolute URL on the target.
func (c *httpClient) resolve(p string) string {
	if strings.HasPrefix(p, "http://") || strings.HasPrefix(p, "https://") {
		return p
	}
	return c.base.String() + p
}

// do sends one request and records it. A transport failure is returned as an
// error that names the problem (see describeErr); the Exchange is still
// returned for the transcript.
func (c *httpClient) do(ctx context.Context, method, target string, h http.Header, body []byte) (*Exchange, error) {
	ex := &Exchange{Method: method, URL: c.resolve(target), ReqHeader: h.Clone(), ReqBody: body}
	if ex.ReqHeader == nil {
		ex.ReqHeader = http.Header{}
	}
	rctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(rctx, method, ex.URL, rd)
	if err != nil {
		ex.Err = fmt.Errorf("building %s %s: %w", method, ex.URL, err)
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
		ex.Err = describeErr(ctx, method, ex.URL, c.timeout, err)
		return ex, ex.Err
	}
	defer resp.Body.Close()
	ex.Status, ex.StatusText, ex.RespHeader = resp.StatusCode, resp.Status, resp.Header
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	ex.Duration = time.Since(start)
	ex.RespBody = b
	if len(b) > MaxBody {
		ex.RespBody = b[:MaxBody]
		ex.Err = fmt.Errorf("%s %s: %w", method, ex.URL, ErrBodyTooLarge)
		return ex, ex.Err
	}
	if err != nil {
		ex.Err = describeErr(ctx, method, ex.URL, c.timeout, fmt.Errorf("reading the response body: %w", err))
		return ex, ex.Err
	}
	return ex, nil
}

// describeErr turns a transport error into a message that names the problem:
// timeout, DNS, connection refused, TLS, or the context being cancelled.
func describeErr(ctx context.Context, method, u string, timeout time.Duration, err error) error {
	what := method + " " + u
	var (
		dnsErr    *net.DNSError
		unknownCA x509.UnknownAuthorityError
		hostErr   x509.HostnameError
		certErr   x509.CertificateInvalidError
		recordErr tls.RecordHeaderError
		tlsVerify *tls.CertificateVerificationError
		alertErr  tls.AlertError
		netErr    net.Error
		urlErr    *url.Error
	)
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("%s: run interrupted: %w", what, ctx.Err())
	case errors.As(err, &dnsErr):
		return fmt.Errorf("%s: DNS: cannot resolve host %q: %w", what, dnsErr.Name, err)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("%s: connection refused (is the server running and listening on that port?): %w", what, err)
	case errors.Is(err, syscall.ECONNRESET):
		return fmt.Errorf("%s: connection reset by the server: %w", what, err)
	case errors.As(err, &unknownCA), errors.As(err, &tlsVerify):
		return fmt.Errorf("%s: TLS: the server's certificate is not trusted (unknown authority or failed verification): %w", what, err)
	case errors.As(err, &hostErr):
		return fmt.Errorf("%s: TLS: the certificate does not match the host name: %w", what, err)
	case errors.As(err, &certErr):
		return fmt.Errorf("%s: TLS: the certificate is invalid (expired or not yet valid?): %w", what, err)
	case strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return fmt.Errorf("%s: TLS: the server answered plain HTTP to an https:// URL (use http://): %w", what, err)
	case errors.As(err, &recordErr):
		return fmt.Errorf("%s: TLS: the server did not answer the TLS handshake (is it plain HTTP?): %w", what, err)
	case errors.As(err, &alertErr):
		return fmt.Errorf("%s: TLS: the server refused the handshake: %w", what, err)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Errorf("%s: timed out after %s (no complete answer from the server): %w", what, timeout, err)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%s: the server closed the connection without a complete answer: %w", what, err)
	case errors.As(err, &urlErr) && strings.Contains(err.Error(), "tls"):
		return fmt.Errorf("%s: TLS error: %w", what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// probe checks that the target answers HTTP at all, following at most
// MaxRedirects redirects from the base URL. Any HTTP status counts as reachable
// (even when the body then is too large or too slow: steps judge bodies).
//
// Its error says what actually happened (see probeTrace.explain): a DNS
// failure, connection refused, no answer to the TCP connection, a TLS
// handshake failure with the certificate problem, a TLS handshake or response
// headers that did not come within the timeout, a connection closed without
// an answer, or too many redirects. Every request is bounded by the client's
// timeout, so the probe takes at most (MaxRedirects+1) × timeout.
func (c *httpClient) probe(ctx context.Context) error {
	target := c.base.String() + "/"
	for i := 0; ; i++ {
		tr := &probeTrace{}
		ex, err := c.do(httptrace.WithClientTrace(ctx, tr.clientTrace()), http.MethodGet, target, nil, nil)
		if err != nil && ex.Status == 0 {
			if ctx.Err() != nil {
				return fmt.Errorf("target check interrupted: %w", err)
			}
			return fmt.Errorf("GET %s: %s", target, tr.explain(err, c.timeout))
		}
		if ex.Status < 300 || ex.Status > 399 || ex.Header("Location") == "" {
			return nil
		}
		if i >= MaxRedirects {
			return fmt.Errorf("GET %s: too many redirects: more than %d (a redirect loop?), the last to %s", c.base.String()+"/", MaxRedirects, ex.Header("Location"))
		}
		next, err := url.Parse(ex.Header("Location"))
		if err != nil {
			return fmt.Errorf("GET %s: redirect to an invalid Location %q", target, ex.Header("Location"))
		}
		base, _ := url.Parse(target)
		target = base.ResolveReference(next).String()
	}
}

// probeTrace records how far one probe request got (httptrace), so that a
// failure can say at which stage it stopped.
type probeTrace struct {
	mu                             sync.Mutex
	host, addr                     string
	dnsStarted, dnsDone            bool
	connected, tlsStarted, tlsDone bool
	wroteRequest                   bool
	tlsErr                         error
}

func (p *probeTrace) clientTrace() *httptrace.ClientTrace {
	set := func(f func()) { p.mu.Lock(); defer p.mu.Unlock(); f() }
	return &httptrace.ClientTrace{
		DNSStart: func(i httptrace.DNSStartInfo) { set(func() { p.dnsStarted, p.host = true, i.Host }) },
		DNSDone:  func(httptrace.DNSDoneInfo) { set(func() { p.dnsDone = true }) },
		ConnectStart: func(_, addr string) {
			set(func() {
				if !p.connected {
					p.addr = addr
				}
			})
		},
		ConnectDone: func(_, addr string, err error) {
			set(func() {
				if err == nil {
					p.connected, p.addr = true, addr
				}
			})
		},
		GotConn: func(i httptrace.GotConnInfo) {
			set(func() {
				p.connected = true
				if i.Conn != nil {
					p.addr = i.Conn.RemoteAddr().String()
				}
			})
		},
		TLSHandshakeStart: func() { set(func() { p.tlsStarted = true }) },
		TLSHandshakeDone: func(_ tls.ConnectionState, err error) {
			set(func() { p.tlsDone, p.tlsErr = err == nil, err })
		},
		WroteRequest: func(i httptrace.WroteRequestInfo) { set(func() { p.wroteRequest = i.Err == nil }) },
	}
}

// explain says what happened to a probe request that got no response.
func (p *probeTrace) explain(err error, timeout time.Duration) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	where := p.addr
	if where == "" {
		where = "the server"
	}
	var (
		dnsErr    *net.DNSError
		opErr     *net.OpError
		tlsVerify *tls.CertificateVerificationError
		unknownCA x509.UnknownAuthorityError
		hostErr   x509.HostnameError
		certErr   x509.CertificateInvalidError
		recordErr tls.RecordHeaderError
		alertErr  tls.AlertError
	)
	if p.tlsErr != nil {
		err = errors.Join(p.tlsErr, err) // the handshake's own error names the certificate problem
	}
	switch {
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("DNS lookup of %q failed: %s", dnsErr.Name, dnsErr.Err)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("connection refused by %s (nothing listening on that port?)", where)
	case errors.As(err, &tlsVerify), errors.As(err, &unknownCA), errors.As(err, &hostErr), errors.As(err, &certErr):
		return "TLS handshake failed: the server's certificate was rejected: " + certProblem(err)
	case errors.As(err, &recordErr), strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return fmt.Sprintf("TLS handshake failed: %s answered in plain HTTP, not TLS (use http://)", where)
	case errors.As(err, &alertErr):
		return fmt.Sprintf("TLS handshake failed: %s sent the alert %q (no common protocol version or cipher suite, or it wants a client certificate?)", where, alertErr.Error())
	case isTimeout(err):
		switch {
		case p.dnsStarted && !p.dnsDone:
			return fmt.Sprintf("timed out after %s resolving %q (DNS)", timeout, p.host)
		case !p.connected:
			return fmt.Sprintf("timed out after %s connecting to %s: no answer to the TCP connection (a firewall dropping packets, or a wrong address?)", timeout, where)
		case p.tlsStarted && !p.tlsDone:
			return fmt.Sprintf("TLS handshake timed out after %s: %s accepted the connection but did not complete the handshake (is it plain HTTP, or overloaded?)", timeout, where)
		case !p.wroteRequest:
			return fmt.Sprintf("timed out after %s sending the request: %s accepted the connection but did not read it", timeout, where)
		}
		return fmt.Sprintf("timed out after %s waiting for response headers: %s accepted the connection and the request but did not answer (a slow or stuck server?)", timeout, where)
	case p.tlsStarted && !p.tlsDone && p.tlsErr != nil:
		return fmt.Sprintf("TLS handshake failed: %v", p.tlsErr)
	case p.connected && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		// net/http's unexported errServerClosedIdle: the close arrived before the request was written.
		strings.Contains(err.Error(), "server closed idle connection")):
		return fmt.Sprintf("%s accepted the connection but closed it without answering", where)
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return fmt.Sprintf("cannot connect to %s: %v", where, opErr.Err)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// certProblem returns the x509 error that made a certificate fail verification.
func certProblem(err error) string {
	var (
		tlsVerify *tls.CertificateVerificationError
		unknownCA x509.UnknownAuthorityError
		hostErr   x509.HostnameError
		certErr   x509.CertificateInvalidError
	)
	switch {
	case errors.As(err, &unknownCA):
		return unknownCA.Error() + " (self-signed, or issued by a private CA the system does not trust)"
	case errors.As(err, &hostErr):
		return hostErr.Error()
	case errors.As(err, &certErr):
		return certErr.Error()
	case errors.As(err, &tlsVerify):
		return tlsVerify.Err.Error()
	}
	return err.Error()
}

// isTimeout reports whether err is a deadline or timeout of any layer.
func isTimeout(err error) bool {
	var netErr net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) ||
		(errors.As(err, &netErr) && netErr.Timeout())
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

func (r *redactor) text(s string) string { return r.red.Text(s) }

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
