package useragent

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The kinds of failed interaction. An [*InteractionError] wraps exactly one of
// them, so callers branch with errors.Is(err, ErrWrongCredentials) and so on.
// None of them says anything about the rule a caller was checking: the
// authorization response (RFC 6749 §4.1.2) was simply never obtained.
var (
	// ErrWrongCredentials: the login form came back after the credentials
	// were submitted (a wrong username or password, or a locked account).
	ErrWrongCredentials = errors.New("the login form came back")
	// ErrUnexpectedPage: a page that is neither a sign-in, a consent nor an
	// auto-submitting page, or a form missing a field the Config names.
	ErrUnexpectedPage = errors.New("an unexpected page")
	// ErrScriptPage: no form in the static HTML but scripts: the page builds
	// its form with JavaScript, which only a real browser gets through.
	ErrScriptPage = errors.New("a page built by JavaScript")
	// ErrForeignRedirect: a redirect or form submission to an origin that is
	// neither the authorization URL's nor one of Config.AllowedOrigins.
	ErrForeignRedirect = errors.New("a redirect outside the allowed origins")
	// ErrLoop: the same request would be sent more than MaxVisits times
	// between two form submissions, or the same form submitted more than
	// MaxVisits times.
	ErrLoop = errors.New("a redirect loop")
	// ErrTooManyHops: more than Config.MaxHops requests without reaching the redirect URI.
	ErrTooManyHops = errors.New("too many hops")
	// ErrErrorStatus: a 4xx or 5xx answer (other than the sign-in form coming back).
	ErrErrorStatus = errors.New("an error status")
	// ErrBodyTooLarge: a page larger than Config.MaxBody.
	ErrBodyTooLarge = errors.New("a body over the size limit")
	// ErrNoAnswer: the request failed (refused, TLS, timeout, the context's
	// deadline); the InteractionError also wraps the transport error.
	ErrNoAnswer = errors.New("no answer")
)

// InteractionError says why the user agent could not obtain an authorization
// response, at which hop and on which page. Every text in it that comes from
// a page is bounded to [TextLimit] characters, with control and format
// characters escaped, and the Config's password replaced by "[REDACTED]".
// URLs are the ones requested; for a refused redirect only the target's
// scheme, host and path are named, never its query.
type InteractionError struct {
	Hop    int    // 1 for the authorization request itself
	Method string // the method of the hop's request
	URL    string // the hop's request URL
	Status int    // the hop's status code; 0 when no answer came (or the request was not sent)
	Title  string // the page's <title> (or first <h1>), if it is an HTML page
	Text   string // the page's error text (role=alert, .error, .alert, #error…) or the start of its text
	Reason string // what went wrong, in words, with the page's text where it helps
	Kind   error  // one of the Err… sentinels of this package
	Err    error  // the underlying error (transport, context), if any
}

// Error reads as "could not obtain a code at hop N: GET URL answered 200
// (title "Sign in"): REASON".
func (e *InteractionError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "could not obtain a code at hop %d: %s %s", e.Hop, e.Method, e.URL)
	if e.Status != 0 {
		fmt.Fprintf(&b, " answered %d", e.Status)
	}
	if e.Title != "" {
		fmt.Fprintf(&b, " (title %s)", quote(e.Title))
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return escape(b.String())
}

// Unwrap returns the kind and the underlying error, for errors.Is and errors.As.
func (e *InteractionError) Unwrap() []error {
	var errs []error
	for _, err := range []error{e.Kind, e.Err} {
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// TextLimit bounds, in characters, every text taken from a page.
const TextLimit = 200

// quote wraps an already-cleaned text in double quotes.
func quote(s string) string { return `"` + s + `"` }

// clean collapses white space, replaces secret (if not empty) with
// "[REDACTED]", cuts the text to TextLimit characters (marking the cut with
// "…") and escapes control and format characters (bidi overrides included) as
// \uXXXX, so a page cannot forge or hide text in a terminal or a report.
func clean(s, secret string) string {
	if secret != "" {
		s = strings.ReplaceAll(s, secret, "[REDACTED]")
	}
	s = strings.Join(strings.Fields(s), " ")
	if secret != "" {
		s = strings.ReplaceAll(s, secret, "[REDACTED]")
	}
	if utf8.RuneCountInString(s) > TextLimit {
		s = strings.TrimRight(string([]rune(s)[:TextLimit-1]), " ") + "…"
	}
	return escape(s)
}

// escape writes control and format characters (and invalid UTF-8) as
// \uXXXX; it leaves an already escaped text as it is.
func escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			b.WriteString(`\uFFFD`)
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
