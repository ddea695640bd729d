package redact

import (
	"regexp"
	"strings"
)

// The patterns Text looks for. Compiled once, never changed.
var (
	// A secret parameter as name=value in a form body or query, also where the
	// separators are percent- or JSON-escaped (%26password%3D, \u0026password=).
	formParam = regexp.MustCompile(`(?i)(?:^|[^A-Za-z0-9_\-%]|\\u0026|%26|\\u003f|%3f)(` + alternation() + `)(=|%3d|\\u003d)`)
	// A secret JSON field, "name": "value", also JSON inside a JSON string
	// (\"name\":\"value\").
	jsonField = regexp.MustCompile(`(?i)(\\?")(` + alternation() + `)\\?"[ \t\r\n]*:[ \t\r\n]*(\\?")`)
	// An Authorization header anywhere: a header line, an error message, a
	// JSON header map.
	authHeader = regexp.MustCompile(`(?i)((?:proxy-)?authorization\\?"?[ \t]*[:=][ \t]*\[?\\?"?)(?:(basic|bearer|dpop|digest|negotiate|token)[ \t]+)?([^\s"',)\]\\]+)`)
	// A cookie header line.
	cookieLine = regexp.MustCompile(`(?im)^([ \t<>]*(set-)?cookie[ \t]*:[ \t]*)([^\r\n]*)$`)
	// Bearer or Basic credentials in free text.
	schemeCred = regexp.MustCompile(`(?i)\b(bearer|basic|dpop)([ \t]+)([A-Za-z0-9\-._~+/]{8,}=*)`)
	// Credentials in a URL (https://user:pass@host).
	userinfo = regexp.MustCompile(`(://)([^/@\s"'<>]+)@`)
)

func alternation() string { return strings.ReplaceAll(secretParams, " ", "|") }

// Text hides, in s, the values of secret parameters in forms, queries and
// JSON (see SecretParams), Authorization headers (keeping the scheme), cookie
// values (keeping their names), Bearer and Basic credentials anywhere in free
// text, and URL userinfo. Values already hidden are kept as they are; Text is
// idempotent. It knows no values: use a Redactor for those.
func Text(s string) string { return byName(s) }

func byName(s string) string {
	if s == "" {
		return s
	}
	s = formParams(s)
	s = jsonFields(s)
	s = replaceGroup(s, authHeader, func(g []string) string {
		if isRedacted(g[3]) {
			return g[0]
		}
		if g[2] != "" {
			return g[1] + g[2] + " " + Marker
		}
		return g[1] + Marker
	})
	s = replaceGroup(s, cookieLine, func(g []string) string { return g[1] + cookieValues(g[3], g[2] == "") })
	s = replaceGroup(s, schemeCred, func(g []string) string {
		if isRedacted(g[3]) || isPlainWord(g[3]) {
			return g[0]
		}
		return g[1] + g[2] + Marker
	})
	return userinfo.ReplaceAllString(s, "${1}"+Marker+"@")
}

func replaceGroup(s string, re *regexp.Regexp, f func([]string) string) string {
	return re.ReplaceAllStringFunc(s, func(m string) string { return f(re.FindStringSubmatch(m)) })
}

// formParams hides the value after every secret name=; the value ends at the
// next separator (for a %3D-separated parameter also at %26).
func formParams(s string) string {
	return hideValues(s, formParam, func(s string, m []int) int {
		start := m[1]
		end := start + strings.IndexFunc(s[start:], func(r rune) bool { return strings.ContainsRune("&#; \t\r\n\"'<>,)\\]", r) })
		if end < start {
			end = len(s)
		}
		if sep := strings.ToLower(s[m[4]:m[5]]); sep == "%3d" {
			if k := strings.Index(strings.ToLower(s[start:end]), "%26"); k >= 0 {
				end = start + k
			}
		}
		return end
	})
}

// jsonFields hides the string value of every secret JSON field, honouring
// backslash escapes; in JSON quoted inside a JSON string (\"name\":\"v\") the
// value ends at the next \".
func jsonFields(s string) string {
	return hideValues(s, jsonField, func(s string, m []int) int {
		nested := m[7]-m[6] == 2 // the value opens with \"
		return m[1] + jsonStringEnd(s[m[1]:], nested)
	})
}

// hideValues hides, for every match m of re, the value from the match's end
// to end(s, m), unless it is already redacted.
func hideValues(s string, re *regexp.Regexp, end func(s string, m []int) int) string {
	var b strings.Builder
	last := 0
	for _, m := range re.FindAllStringSubmatchIndex(s, -1) {
		start := m[1]
		if start < last {
			continue
		}
		e := end(s, m)
		b.WriteString(s[last:start])
		b.WriteString(hideUnlessRedacted(s[start:e]))
		last = e
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// jsonStringEnd returns the length of the JSON string content at the start of
// s: up to the closing quote (or \" when nested), or all of s if it is cut.
func jsonStringEnd(s string, nested bool) int {
	for i := 0; i < len(s); i++ {
		switch {
		case nested && strings.HasPrefix(s[i:], `\"`):
			return i
		case nested && strings.HasPrefix(s[i:], `\\`):
			// An escape of the inner string: its next character, itself
			// escaped for the outer one when it is a quote or backslash.
			i += 2
			if i < len(s) && s[i] == '\\' {
				i++
			}
		case !nested && s[i] == '\\':
			i++
		case !nested && s[i] == '"':
			return i
		}
	}
	return len(s)
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
