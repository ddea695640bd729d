package httpx

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"
)

// Error is a request that got no complete answer: what was sent, the bounds
// it ran under, how far it got (when traced by Probe) and the cause.
type Error struct {
	Method, URL    string
	Timeout        time.Duration
	MaxHeaderBytes int64
	trace          *trace
	Err            error
}

// Error says what was sent and, in words, what went wrong (see Describe).
func (e *Error) Error() string { return e.Method + " " + e.URL + ": " + Describe(e) }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Describe says in words why a request got no complete answer: the run was
// interrupted, DNS, connection refused or reset, TLS (with the certificate's
// problem), plain HTTP on an https:// URL, a timeout (at which stage, when the
// request was traced), a hang-up, or response headers over the bound. For an
// error it does not recognise it returns the error's text.
func Describe(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Err: err}
	}
	st := e.trace.snapshot()
	cause := e.Err
	if st.tlsErr != nil {
		cause = errors.Join(st.tlsErr, cause) // the handshake's own error names the certificate problem
	}
	if s := describeTLS(cause, st.where()); s != "" {
		return s
	}
	if s := describeNet(cause, st.where(), e.MaxHeaderBytes); s != "" {
		return s
	}
	if isTimeout(cause) {
		return st.timeout(e.Timeout)
	}
	var ue *url.Error
	if errors.As(cause, &ue) {
		return ue.Err.Error()
	}
	return cause.Error()
}

// describeNet names DNS, connection and HTTP-level failures; "" if none.
func describeNet(err error, where string, maxHeader int64) string {
	var (
		dnsErr *net.DNSError
		opErr  *net.OpError
	)
	switch {
	case errors.Is(err, context.Canceled):
		return Interrupted
	case strings.Contains(err.Error(), "server response headers exceeded"):
		if maxHeader > 0 {
			return fmt.Sprintf("%v: response header over %s", ErrHeaderTooLarge, size(maxHeader))
		}
		return ErrHeaderTooLarge.Error()
	case errors.As(err, &dnsErr):
		return fmt.Sprintf(phraseDNS+" %q failed: %s", dnsErr.Name, dnsErr.Err)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("%s %s (nothing listening on that port?)", phraseRefused, where)
	case errors.Is(err, syscall.ECONNRESET):
		return phraseReset + " " + where
	case isTimeout(err):
		return ""
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		// net/http's unexported errServerClosedIdle: the close arrived before the request was written.
		strings.Contains(err.Error(), "server closed idle connection"):
		return where + " " + phraseHungUp
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return fmt.Sprintf("%s %s: %v", phraseCannotConnect, where, opErr.Err)
	}
	return ""
}

// describeTLS names TLS failures, with the certificate's problem; "" if none.
func describeTLS(err error, where string) string {
	var (
		tlsVerify *tls.CertificateVerificationError
		unknownCA x509.UnknownAuthorityError
		hostErr   x509.HostnameError
		certErr   x509.CertificateInvalidError
		recordErr tls.RecordHeaderError
		alertErr  tls.AlertError
	)
	switch {
	case errors.As(err, &unknownCA):
		return phraseTLS + ": the server's certificate was rejected: " + unknownCA.Error() +
			" (self-signed, or issued by a private CA the system does not trust)"
	case errors.As(err, &hostErr):
		return phraseTLS + ": the server's certificate was rejected: " + hostErr.Error()
	case errors.As(err, &certErr):
		return phraseTLS + ": the server's certificate was rejected: " + certErr.Error() + " (expired or not yet valid?)"
	case errors.As(err, &tlsVerify):
		return phraseTLS + ": the server's certificate was rejected: " + tlsVerify.Err.Error()
	case errors.As(err, &recordErr), strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return fmt.Sprintf("%s: %s answered in plain HTTP, not TLS (use http://)", phraseTLS, where)
	case errors.As(err, &alertErr):
		return fmt.Sprintf("%s: %s sent the alert %q (no common protocol version or cipher suite, or it wants a client certificate?)", phraseTLS, where, alertErr.Error())
	}
	return ""
}

// isTimeout reports whether err is a deadline or timeout of any layer.
func isTimeout(err error) bool {
	var netErr net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) ||
		(errors.As(err, &netErr) && netErr.Timeout())
}
