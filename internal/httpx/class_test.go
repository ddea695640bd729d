package httpx

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
	"time"
)

// TestClassReadsDescribeBack: every kind of failure Describe words is read
// back as its kind by Class, also inside the context a caller adds (vegeta
// prefixes the method and URL), so rewording one side breaks this test.
func TestClassReadsDescribeBack(t *testing.T) {
	dial := func(err error) error { return &net.OpError{Op: "dial", Net: "tcp", Err: err} }
	tlsTimeout := stages{traced: true, connected: true, tlsStarted: true, addr: "127.0.0.1:1"}
	cases := []struct {
		description string
		words       string
		want        Kind
	}{
		{"DNS", Describe(&net.DNSError{Err: "no such host", Name: "x.invalid"}), KindConnection},
		{"connection refused", Describe(dial(syscall.ECONNREFUSED)), KindConnection},
		{"connection reset", Describe(dial(syscall.ECONNRESET)), KindConnection},
		{"no route", Describe(dial(errors.New("no route to host"))), KindConnection},
		{"a hang-up", Describe(io.ErrUnexpectedEOF), KindConnection},
		{"an untrusted certificate", Describe(x509.UnknownAuthorityError{}), KindConnection},
		{"plain HTTP on https", Describe(tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}), KindConnection},
		{"a TLS alert", Describe(tls.AlertError(40)), KindConnection},
		{"a timeout", Describe(&Error{Timeout: time.Second, Err: context.DeadlineExceeded}), KindTimeout},
		{"a TLS handshake timeout", tlsTimeout.timeout(time.Second), KindTimeout},
		{"interrupted", Describe(context.Canceled), KindInterrupted},
		{"a body too large", Describe(fmt.Errorf("%w: over 1 MiB", ErrBodyTooLarge)), KindBodyTooLarge},
		{"a header too large", Describe(&Error{MaxHeaderBytes: 1 << 20, Err: errors.New("net/http: server response headers exceeded 1048576 bytes; aborted")}), KindHeaderTooLarge},
		{"an HTTP status is no transport failure", "400 Bad Request", KindNone},
		{"a bad response is no transport failure", "invalid token response: no access_token", KindNone},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			for _, msg := range []string{tc.words, "Post \"http://127.0.0.1:1/token\": " + tc.words} {
				if got := Class(msg); got != tc.want {
					t.Fatalf("Class(%q) = %q, want %q", msg, got, tc.want)
				}
			}
		})
	}
}
