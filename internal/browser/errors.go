package browser

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ErrNoChromium is wrapped by the error of [Authorize] when no Chromium
// executable is found. The message says how to install it.
var ErrNoChromium = errors.New("browser: chromium not found")

// InstallHint says how to install the browser this package needs.
const InstallHint = "install it with scripts/ensure-chromium.sh " +
	"(or: apt-get update && apt-get install -y --no-install-recommends chromium)"

// Bounds, in runes, of the page text (title, error text) and of the page's
// URL kept in an [InteractionError] or a [Hop].
const (
	maxPageText = 200
	maxPageURL  = 500
)

// InteractionError says why the browser could not obtain a code: a wrong
// password (Text is the page's error text), an element that never appeared, a
// navigation outside the allowed origins, a timeout. It describes the
// interaction, not the server's conformance: callers report the scenario as
// not tested. Title and Text are bounded and their control characters are
// escaped; no credential appears in any field.
type InteractionError struct {
	Step   int    // 1-based index in the step list; 0 while opening the authorization URL
	Action string // the step's action and selector or URL, e.g. `click "button#approve"` (never a value)
	URL    string // the page's URL when the step failed
	Title  string // the page's title
	Text   string // the page's error text, or the start of its text when it shows none
	Status int    // the HTTP status of the last page the server sent; 0 before any
	Reason string // what went wrong, e.g. "no visible element matched within 10s"
	Err    error  // the underlying error, if any: context.DeadlineExceeded on a timeout, context.Canceled when stopped
}

// Unwrap returns Err, so that errors.Is(err, context.Canceled) tells a run
// the caller stopped.
func (e *InteractionError) Unwrap() error { return e.Err }

// Error reads like: could not obtain a code at step 3 (click "button#approve"):
// no element matched within 10s on http://127.0.0.1:8080/consent (title
// "Authorize"); the page says "…".
func (e *InteractionError) Error() string {
	var b strings.Builder
	b.WriteString("could not obtain a code ")
	if e.Step == 0 {
		b.WriteString("while opening the authorization URL")
	} else {
		fmt.Fprintf(&b, "at step %d (%s)", e.Step, e.Action)
	}
	b.WriteString(": " + e.Reason)
	if e.URL != "" {
		b.WriteString(" on " + e.URL)
	}
	if e.Title != "" {
		b.WriteString(` (title "` + e.Title + `")`)
	}
	if e.Text != "" {
		b.WriteString(`; the page says "` + e.Text + `"`)
	}
	return b.String()
}

// ErrOutside is the Err of an [*InteractionError] whose run a navigation
// outside the allowed origins ended (the server sent the browser elsewhere).
var ErrOutside = errors.New("browser: a navigation outside the allowed origins")

// errOutside is the cause of a run that a navigation outside the allowed
// origins ended.
type errOutside struct{ url string }

func (e *errOutside) Error() string {
	return "the browser was sent outside the allowed origins, to " + e.url
}

// errReached is the cause of a run that reached the redirect URI.
var errReached = errors.New("browser: the redirect URI was reached")

// pageText makes page text safe for a message: runs of white space become one
// space, other control and format characters (such as bidi overrides) are
// escaped as \xNN or \uNNNN, and the text is cut at maxPageText runes.
func pageText(s string) string { return bounded(s, maxPageText) }

// bounded is pageText with a limit of its own, in runes.
func bounded(s string, limit int) string {
	var b strings.Builder
	n, space := 0, false
	for _, r := range strings.TrimSpace(s) {
		if n == limit {
			b.WriteString("…")
			break
		}
		switch {
		case unicode.IsSpace(r):
			space = true
			continue
		case space:
			b.WriteByte(' ')
			space = false
		}
		n++
		switch {
		case r == utf8.RuneError:
			b.WriteString(`\ufffd`)
		case r < 0x80 && unicode.IsControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// seconds formats a timeout for a message: 10s, 1.5s, 300ms.
func seconds(d time.Duration) string {
	return d.Round(time.Millisecond).String()
}
