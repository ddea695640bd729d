package steps

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

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
