package steps

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

// transcript renders exchanges as text with secrets redacted.
func transcript(r *redactor, exs []*Exchange) string {
	var b strings.Builder
	for i, ex := range exs {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "> %s %s\n", ex.Method, r.text(ex.URL))
		writeHeaders(&b, "> ", r, ex.ReqHeader)
		if len(ex.ReqBody) > 0 {
			b.WriteString(">\n")
			writeBody(&b, "> ", r, ex.ReqBody)
		}
		if ex.Status == 0 {
			fmt.Fprintf(&b, "< (no response: %s)\n", r.text(fmt.Sprint(ex.Err)))
			continue
		}
		fmt.Fprintf(&b, "< %s (%s)\n", ex.StatusText, ex.Duration.Round(time.Millisecond))
		writeHeaders(&b, "< ", r, ex.RespHeader)
		if len(ex.RespBody) > 0 {
			b.WriteString("<\n")
			writeBody(&b, "< ", r, ex.RespBody)
		}
		if ex.Err != nil {
			fmt.Fprintf(&b, "< (error: %s)\n", r.text(ex.Err.Error()))
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
			switch http.CanonicalHeaderKey(k) {
			case "Authorization", "Cookie", "Set-Cookie", "Proxy-Authorization":
				scheme, _, _ := strings.Cut(v, " ")
				v = scheme + " [REDACTED]"
			default:
				if strings.Contains(strings.ToLower(k), "token") {
					v = "[REDACTED]"
				}
			}
			fmt.Fprintf(b, "%s%s: %s\n", prefix, k, r.text(v))
		}
	}
}

// maxTranscriptBody bounds how much of a body a transcript shows.
const maxTranscriptBody = 4096

func writeBody(b *strings.Builder, prefix string, r *redactor, body []byte) {
	s := string(body)
	cut := ""
	if len(s) > maxTranscriptBody {
		s, cut = s[:maxTranscriptBody], fmt.Sprintf(" … (%d more bytes)", len(body)-maxTranscriptBody)
	}
	s = r.text(s)
	for _, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		b.WriteString(prefix + line + "\n")
	}
	if cut != "" {
		b.WriteString(prefix + cut + "\n")
	}
}
