package reports

import (
	"regexp"
	"strings"
)

// Redacted replaces every secret Redact finds.
const Redacted = "[REDACTED]"

var (
	// Authorization header values, anywhere (header lines, error messages, JSON
	// header maps): keep the scheme, hide the credentials.
	redactHeader = regexp.MustCompile(`(?i)((?:proxy-)?authorization"?[ \t]*[:=][ \t]*\[?"?)(?:(basic|bearer|dpop|digest|negotiate|token)[ \t]+)?([^\s"',)\]]+)`)
	// Cookie headers carry session secrets.
	redactCookie = regexp.MustCompile(`(?im)^([ \t<>]*(?:set-)?cookie[ \t]*:[ \t]*)([^\r\n]*)$`)
	// Bearer/Basic credentials anywhere in free text.
	redactScheme = regexp.MustCompile(`(?i)\b(bearer|basic)([ \t]+)([A-Za-z0-9\-._~+/]{8,}=*)`)
	// Secret JSON fields: "access_token": "…".
	redactJSON = regexp.MustCompile(`(?i)("(?:access_token|refresh_token|id_token|client_secret|password|code|code_verifier|assertion|client_assertion)"[ \t]*:[ \t]*")((?:[^"\\]|\\.)*)(")`)
	// Secret form or query parameters: access_token=…
	redactForm = regexp.MustCompile(`(?i)(^|[?&\s;,(])((?:access_token|refresh_token|id_token|client_secret|password|code|code_verifier|assertion|client_assertion)=)([^&\s"';,)]+)`)
)

// Redact hides credentials in s: Authorization and Cookie header values (keeping the
// scheme), Bearer/Basic credentials anywhere, and the values of token, secret,
// password, code and assertion fields in JSON and form bodies or URLs. Values that
// are already redacted (or empty) are kept as they are. Redact is idempotent.
func Redact(s string) string {
	if s == "" {
		return s
	}
	s = redactHeader.ReplaceAllStringFunc(s, func(m string) string {
		g := redactHeader.FindStringSubmatch(m)
		if isRedacted(g[3]) {
			return m
		}
		if g[2] != "" {
			return g[1] + g[2] + " " + Redacted
		}
		return g[1] + Redacted
	})
	s = redactCookie.ReplaceAllStringFunc(s, func(m string) string {
		g := redactCookie.FindStringSubmatch(m)
		if isRedacted(g[2]) {
			return m
		}
		return g[1] + Redacted
	})
	s = redactScheme.ReplaceAllStringFunc(s, func(m string) string {
		g := redactScheme.FindStringSubmatch(m)
		if isRedacted(g[3]) || isPlainWord(g[3]) {
			return m
		}
		return g[1] + g[2] + Redacted
	})
	s = redactJSON.ReplaceAllStringFunc(s, func(m string) string {
		g := redactJSON.FindStringSubmatch(m)
		if isRedacted(g[2]) {
			return m
		}
		return g[1] + Redacted + g[3]
	})
	s = redactForm.ReplaceAllStringFunc(s, func(m string) string {
		g := redactForm.FindStringSubmatch(m)
		if isRedacted(g[3]) {
			return m
		}
		return g[1] + g[2] + Redacted
	})
	return s
}

// isRedacted reports whether v is empty or already a redaction marker
// ("[REDACTED]", "%5BREDACTED%5D", "***", "…").
func isRedacted(v string) bool {
	v = strings.TrimSpace(v)
	u := strings.ToUpper(v)
	return v == "" || strings.Contains(u, "REDACTED") || strings.Trim(v, "*.…x") == ""
}

// isPlainWord reports whether v is a short run of letters only ("challenges" in
// "Bearer challenges"): prose, not a credential. Tokens and base64 credentials
// of under 20 characters carry digits or punctuation.
func isPlainWord(v string) bool {
	if len(v) >= 20 {
		return false
	}
	for _, r := range v {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return false
		}
	}
	return true
}
