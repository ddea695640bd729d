package httpx

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
)

// ClientTLS is how the harness meets a target's TLS: extra roots (a private
// CA), a client certificate (servers that authenticate clients with mutual
// TLS, RFC 8705 §2), or no verification at all (Insecure: the run says so).
type ClientTLS struct {
	// CAFile is a PEM file of CA certificates trusted beside the system's.
	CAFile string
	// CertFile and KeyFile are the PEM client certificate and its key; both
	// or neither.
	CertFile, KeyFile string
	// Insecure skips verifying the target's certificate chain and host name.
	Insecure bool
}

// InsecureWarning is the line a run with ClientTLS.Insecure prints.
const InsecureWarning = "WARNING: --insecure: TLS certificates are NOT verified; anyone on the path can read and change this run's traffic"

// Config returns the TLS configuration, nil when c sets nothing. Its errors
// name the file and the problem.
func (c ClientTLS) Config() (*tls.Config, error) {
	if c == (ClientTLS{}) {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: c.Insecure}
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("--ca-file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--ca-file %s: no PEM certificate in it", c.CAFile)
		}
		cfg.RootCAs = pool
	}
	if (c.CertFile == "") != (c.KeyFile == "") {
		return nil, errors.New("--client-cert and --client-key go together")
	}
	if c.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("--client-cert/--client-key: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// ParseHeader parses a --header value "Name: value" (RFC 9110 §5: a token
// name, a value without line breaks).
func ParseHeader(s string) (name, value string, err error) {
	name, value, ok := strings.Cut(s, ":")
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	if !ok || name == "" || strings.ContainsAny(name, " \t\"(),/;<=>?@[\\]{}") {
		return "", "", fmt.Errorf("--header %q: want 'Name: value'", name)
	}
	if strings.ContainsAny(value, "\r\n\x00") {
		return "", "", fmt.Errorf("--header %s: the value has a line break or NUL", name)
	}
	return http.CanonicalHeaderKey(name), value, nil
}

// HeaderTransport adds Header's fields to every request that does not set
// them already (a --header never overrides what a check sends on purpose).
// It is safe for concurrent use when Base is.
type HeaderTransport struct {
	Base   http.RoundTripper
	Header http.Header
}

// RoundTrip implements http.RoundTripper; the request is cloned, never
// changed (http.RoundTripper's contract).
func (t *HeaderTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	for k, vs := range t.Header {
		if _, set := r.Header[k]; !set {
			r.Header[k] = vs
		}
	}
	return t.Base.RoundTrip(r)
}

// CloseIdleConnections closes Base's idle connections (http.Client calls it).
func (t *HeaderTransport) CloseIdleConnections() {
	if c, ok := t.Base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
