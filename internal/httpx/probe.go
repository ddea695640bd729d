package httpx

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync"
	"time"
)

// Probe checks that the target at rawURL answers HTTP at all, following at
// most maxRedirects redirects (0: none). Any HTTP status counts as reachable,
// even when the body then is too large or too slow: checks judge bodies.
//
// Its error is an *Error that says how far the request got (httptrace): a DNS
// failure, connection refused, no answer to the TCP connection, a TLS
// handshake failure with the certificate problem, a TLS handshake or response
// headers that did not come within the timeout, a connection closed without
// an answer, headers over the bound, or too many redirects. Each request is
// bounded by the client's timeout, so Probe takes at most
// (maxRedirects+1) × timeout. A cancelled ctx ends it with ctx's error.
func (c *Client) Probe(ctx context.Context, rawURL string, maxRedirects int) error {
	target := rawURL
	for i := 0; ; i++ {
		ex, err := c.send(ctx, http.MethodGet, target, nil, nil, &trace{})
		if err != nil && ex.Status == 0 {
			if ctx.Err() != nil {
				return fmt.Errorf("target check interrupted: %w", ctx.Err())
			}
			return err
		}
		loc := ex.Header("Location")
		if ex.Status < 300 || ex.Status > 399 || loc == "" {
			return nil
		}
		if i >= maxRedirects {
			if maxRedirects == 0 {
				return nil // a redirect is an answer
			}
			return fmt.Errorf("GET %s: too many redirects: more than %d (a redirect loop?), the last to %s", rawURL, maxRedirects, loc)
		}
		next, err := url.Parse(loc)
		if err != nil {
			return fmt.Errorf("GET %s: redirect to an invalid Location %q", target, loc)
		}
		base, _ := url.Parse(target)
		target = base.ResolveReference(next).String()
	}
}

// trace records how far one request got, so that a failure can say at which
// stage it stopped.
type trace struct {
	mu sync.Mutex
	st stages
}

// stages is a snapshot of a trace.
type stages struct {
	traced                         bool
	host, addr                     string
	dnsStarted, dnsDone            bool
	connected, tlsStarted, tlsDone bool
	wroteRequest                   bool
	tlsErr                         error
}

func (t *trace) snapshot() stages {
	if t == nil {
		return stages{}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.st
	s.traced = true
	return s
}

func (t *trace) with(ctx context.Context) context.Context {
	set := func(f func(*stages)) { t.mu.Lock(); defer t.mu.Unlock(); f(&t.st) }
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		DNSStart: func(i httptrace.DNSStartInfo) { set(func(s *stages) { s.dnsStarted, s.host = true, i.Host }) },
		DNSDone:  func(httptrace.DNSDoneInfo) { set(func(s *stages) { s.dnsDone = true }) },
		ConnectStart: func(_, addr string) {
			set(func(s *stages) {
				if !s.connected {
					s.addr = addr
				}
			})
		},
		ConnectDone: func(_, addr string, err error) {
			set(func(s *stages) {
				if err == nil {
					s.connected, s.addr = true, addr
				}
			})
		},
		GotConn: func(i httptrace.GotConnInfo) {
			set(func(s *stages) {
				s.connected = true
				if i.Conn != nil {
					s.addr = i.Conn.RemoteAddr().String()
				}
			})
		},
		TLSHandshakeStart: func() { set(func(s *stages) { s.tlsStarted = true }) },
		TLSHandshakeDone: func(_ tls.ConnectionState, err error) {
			set(func(s *stages) { s.tlsDone, s.tlsErr = err == nil, err })
		},
		WroteRequest: func(i httptrace.WroteRequestInfo) { set(func(s *stages) { s.wroteRequest = i.Err == nil }) },
	})
}

// where names the peer: its address once known.
func (s stages) where() string {
	if s.addr == "" {
		return "the server"
	}
	return s.addr
}

// timeout says at which stage a request ran out of time.
func (s stages) timeout(d time.Duration) string {
	after := ""
	if d > 0 {
		after = " after " + d.String()
	}
	switch {
	case !s.traced:
		return phraseTimedOut + after + " (no complete answer from the server)"
	case s.dnsStarted && !s.dnsDone:
		return fmt.Sprintf(phraseTimedOut+"%s resolving %q (DNS)", after, s.host)
	case !s.connected:
		return fmt.Sprintf(phraseTimedOut+"%s connecting to %s: no answer to the TCP connection (a firewall dropping packets, or a wrong address?)", after, s.where())
	case s.tlsStarted && !s.tlsDone:
		return fmt.Sprintf("TLS handshake "+phraseTimedOut+"%s: %s accepted the connection but did not complete the handshake (is it plain HTTP, or overloaded?)", after, s.where())
	case !s.wroteRequest:
		return fmt.Sprintf(phraseTimedOut+"%s sending the request: %s accepted the connection but did not read it", after, s.where())
	}
	return fmt.Sprintf(phraseTimedOut+"%s waiting for response headers: %s accepted the connection and the request but did not answer (a slow or stuck server?)", after, s.where())
}
