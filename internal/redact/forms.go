package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"strings"
	"unicode/utf16"
)

// Forms returns every form secret v takes on the wire, v itself first:
// percent-encoded as url.QueryEscape (form bodies, RFC 6749 §2.3.1 and
// Appendix B), url.PathEscape and strict RFC 3986 §2.1 encoding (with upper- and
// lower-case hex, and once more for a URL inside a URL), JSON-escaped as Go,
// PHP (escaped "/") and Python (ASCII-only) encoders write it, and
// HTML-escaped. Duplicates are removed.
func Forms(v string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	add(v)
	for _, p := range []string{url.QueryEscape(v), url.PathEscape(v), strictEscape(v, false), strictEscape(v, true), url.QueryEscape(url.QueryEscape(v))} {
		add(p)
		add(lowerHex(p))
	}
	for _, j := range jsonForms(v) {
		add(j)
		add(strings.ReplaceAll(j, "/", `\/`))
		add(upperUnicodeHex(j))
	}
	add(html.EscapeString(v))
	return out
}

// BasicForms returns the forms of the HTTP Basic credentials of a client: the
// base64 of the form-encoded "id:secret" that RFC 6749 §2.3.1 prescribes and of
// the raw "id:secret" many clients send (RFC 7617 §2), each without its
// padding so that either encoding of the pair matches.
func BasicForms(id, secret string) []string {
	var out []string
	for _, pair := range []string{url.QueryEscape(id) + ":" + url.QueryEscape(secret), id + ":" + secret} {
		b := base64.RawStdEncoding.EncodeToString([]byte(pair))
		out = append(out, b, base64.RawURLEncoding.EncodeToString([]byte(pair)))
	}
	return out
}

// strictEscape percent-encodes every byte outside RFC 3986's unreserved set
// (JavaScript's encodeURIComponent, more or less), with spaces as "+" if plus.
func strictEscape(v string, plus bool) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '.', c == '_', c == '~':
			b.WriteByte(c)
		case c == ' ' && plus:
			b.WriteByte('+')
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// lowerHex writes the hex digits of every %XX escape in lower case.
func lowerHex(p string) string {
	b := []byte(p)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = bytes.ToLower(b[i+1 : i+2])[0], bytes.ToLower(b[i+2 : i+3])[0]
		}
	}
	return string(b)
}

// upperUnicodeHex writes the hex digits of every \uXXXX escape in upper case.
func upperUnicodeHex(j string) string {
	b := []byte(j)
	for i := 0; i+5 < len(b); i++ {
		if b[i] == '\\' && b[i+1] == 'u' {
			copy(b[i+2:i+6], bytes.ToUpper(b[i+2:i+6]))
			i += 5
		} else if b[i] == '\\' {
			i++
		}
	}
	return string(b)
}

// jsonForms returns v as the inside of a JSON string: Go's encoding with and
// without HTML escaping (\u0026 for &), and an ASCII-only one (\u00e9, as
// Python's json.dumps writes by default).
func jsonForms(v string) []string {
	var out []string
	for _, escapeHTML := range []bool{true, false} {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(escapeHTML)
		_ = enc.Encode(v) // a string always encodes
		s := strings.TrimSuffix(buf.String(), "\n")
		out = append(out, s[1:len(s)-1])
	}
	return append(out, asciiOnly(out[0]), asciiOnly(out[1]))
}

// asciiOnly escapes every non-ASCII character of a JSON string's inside as
// \uXXXX (UTF-16, as RFC 8259 §7 allows).
func asciiOnly(j string) string {
	var b strings.Builder
	for _, r := range j {
		if r < 0x80 {
			b.WriteRune(r)
			continue
		}
		for _, u := range utf16.Encode([]rune{r}) {
			fmt.Fprintf(&b, `\u%04x`, u)
		}
	}
	return b.String()
}
