package httpx

import "strings"

// Kind is the class of a failed request, read back from Describe's words by
// Class.
type Kind string

// Kinds of failure, by precedence: a text naming several is of the first.
const (
	KindNone           Kind = ""                 // not a failure Describe names
	KindBodyTooLarge   Kind = "body too large"   // ErrBodyTooLarge
	KindHeaderTooLarge Kind = "header too large" // ErrHeaderTooLarge
	KindInterrupted    Kind = "interrupted"      // the run was cancelled
	KindTimeout        Kind = "timeout"          // no complete answer in time, at any stage
	KindConnection     Kind = "connection"       // DNS, refused, reset, hang-up, TLS, no route
)

// Interrupted is Describe's text for a request cut by the run's cancellation.
const Interrupted = "run interrupted"

// The phrases Describe writes for each kind; Class looks for the same ones.
const (
	phraseTimedOut      = "timed out"
	phraseDNS           = "DNS lookup of"
	phraseRefused       = "connection refused by"
	phraseReset         = "connection reset by"
	phraseHungUp        = "accepted the connection but closed it without answering"
	phraseCannotConnect = "cannot connect to"
	phraseTLS           = "TLS handshake failed"
	// A network error Describe does not recognise keeps its own text, which
	// names the connection ("http: ... connection broken", "use of closed
	// network connection").
	phraseConnection = "connection"
)

// Class returns the kind of failure msg, an error text containing Describe's
// words (possibly with context around them), names; KindNone for any other
// text (an HTTP status, a bad response).
func Class(msg string) Kind {
	switch {
	case strings.Contains(msg, ErrBodyTooLarge.Error()):
		return KindBodyTooLarge
	case strings.Contains(msg, ErrHeaderTooLarge.Error()):
		return KindHeaderTooLarge
	case strings.Contains(msg, Interrupted):
		return KindInterrupted
	case strings.Contains(msg, phraseTimedOut):
		return KindTimeout
	}
	for _, p := range []string{phraseDNS, phraseRefused, phraseReset, phraseHungUp, phraseCannotConnect, phraseTLS, phraseConnection} {
		if strings.Contains(msg, p) {
			return KindConnection
		}
	}
	return KindNone
}
