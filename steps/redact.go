package steps

import (
	"net/url"
	"sort"
	"strings"
)

// redactReason gives a skip reason the redaction of failure messages
// (credential values, tokens, secret parameters), except for the words
// "profile <name>": the profile's name is on every output line, so hiding it
// there protects nothing (the demo Shopware password is "shopware").
func redactReason(red *redactor, profileName, reason string) string {
	const keep = "\x00profile\x00"
	phrase := "profile " + profileName
	if profileName == "" || strings.Contains(reason, keep) {
		return red.text(reason)
	}
	return strings.ReplaceAll(red.text(strings.ReplaceAll(reason, phrase, keep)), keep, phrase)
}

// redactor hides secrets in transcripts: credential values, Authorization
// header values, and token or code values (shortened to a prefix).
type redactor struct {
	redact func(string) string // credential values → [REDACTED]
	tokens []string            // token and code values seen, longest first
}

// shorten returns the first 6 characters of a token value followed by "…".
func shorten(v string) string {
	if len(v) <= 8 {
		return "…"
	}
	return v[:6] + "…"
}

func (r *redactor) add(vals ...string) {
	for _, v := range vals {
		if len(v) < 8 {
			continue
		}
		r.tokens = append(r.tokens, v, url.QueryEscape(v), url.PathEscape(v))
	}
	sort.Slice(r.tokens, func(i, j int) bool { return len(r.tokens[i]) > len(r.tokens[j]) })
}

func (r *redactor) text(s string) string {
	if r.redact != nil {
		s = r.redact(s)
	}
	for _, t := range r.tokens {
		if strings.Contains(s, t) {
			s = strings.ReplaceAll(s, t, shorten(t))
		}
	}
	return redactParams(s)
}

// sensitiveParams are shortened wherever they appear as name=value or as
// JSON "name":"value", whatever their origin (a safety net for values the
// redactor was not told about).
var sensitiveParams = []string{"access_token", "refresh_token", "id_token", "token", "code", "code_verifier", "client_secret", "password"}

func redactParams(s string) string {
	for _, p := range sensitiveParams {
		full := p == "client_secret" || p == "password"
		s = replaceValues(s, p+"=", "&# \r\n\"", full)
		s = replaceValues(s, `"`+p+`":"`, `"`, full)
	}
	return s
}

// replaceValues shortens (or fully hides) every value that follows prefix, up to
// one of the stop characters.
func replaceValues(s, prefix, stops string, full bool) string {
	var b strings.Builder
	for {
		i := strings.Index(s, prefix)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		// Only whole parameter names: the byte before must not be a letter or _.
		if i > 0 && (isWordByte(s[i-1])) {
			b.WriteString(s[:i+len(prefix)])
			s = s[i+len(prefix):]
			continue
		}
		b.WriteString(s[:i+len(prefix)])
		rest := s[i+len(prefix):]
		j := strings.IndexAny(rest, stops)
		if j < 0 {
			j = len(rest)
		}
		v := rest[:j]
		switch {
		case v == "" || v == "[REDACTED]" || (strings.HasSuffix(v, "…") && len(v) <= 6+len("…")):
			b.WriteString(v)
		case full:
			b.WriteString("[REDACTED]")
		default:
			b.WriteString(shorten(v))
		}
		s = rest[j:]
	}
}

func isWordByte(c byte) bool {
	return c == '_' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
