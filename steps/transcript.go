package steps

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/oauthconf/oauthconf/internal/redact"
)

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

// Bounds of the transcripts a run records (every report and the terminal
// show them): one scenario's at most maxScenarioTranscript bytes, all the
// scenarios of one RunAll together at most maxRunTranscript. Beyond a bound
// the transcript ends with one line saying how many bytes were left out.
const (
	maxScenarioTranscript = 64 << 10
	maxRunTranscript      = 2 << 20
	// maxMessage bounds a failure message or reason (they quote the target).
	maxMessage = 4 << 10
)

// transcriptBudget is what is left of a run's transcript bound; safe for
// concurrent use by the run's scenarios.
type transcriptBudget struct{ left atomic.Int64 }

func newTranscriptBudget(n int64) *transcriptBudget {
	b := &transcriptBudget{}
	b.left.Store(n)
	return b
}

// take takes up to n bytes from the budget and returns how many it got.
func (b *transcriptBudget) take(n int) int {
	for {
		left := b.left.Load()
		got := min(int64(n), left)
		if got <= 0 {
			return 0
		}
		if b.left.CompareAndSwap(left, left-got) {
			return int(got)
		}
	}
}

// boundTranscript cuts tr to what the scenario may still show: the
// scenario's bound, of which the bytes not yet taken come from the run's
// budget (a scenario's transcript is rendered more than once, and only
// grows). *taken is what the scenario holds of the budget.
func boundTranscript(tr string, b *transcriptBudget, taken *int) string {
	want := min(len(tr), maxScenarioTranscript)
	if want > *taken && b != nil {
		*taken += b.take(want - *taken)
	} else if b == nil {
		*taken = want
	}
	if len(tr) <= *taken {
		return tr
	}
	keep := cutAt(tr, *taken)
	return fmt.Sprintf("%s\n… transcript truncated: %d bytes left out\n", keep, len(tr)-len(keep))
}

// cutAt returns the longest prefix of s of at most n bytes that ends at a
// line break (or, if there is none, on a rune boundary).
func cutAt(s string, n int) string {
	if i := strings.LastIndexByte(s[:n], '\n'); i >= 0 {
		return s[:i]
	}
	return cutRune(s, n)
}

// boundMessage cuts a failure message or reason to maxMessage bytes.
func boundMessage(s string) string {
	if len(s) <= maxMessage {
		return s
	}
	keep := cutRune(s, maxMessage)
	return fmt.Sprintf("%s… (%d more bytes)", keep, len(s)-len(keep))
}

// cutRune returns the longest prefix of s of at most n bytes that ends on a
// rune boundary.
func cutRune(s string, n int) string {
	for n > 0 && n < len(s) && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
