// Package redact is the harness's one secret vocabulary: which parameters,
// headers, cookies and JSON fields carry secrets, and a Redactor that hides
// every form a known secret takes on the wire (raw, percent- and
// form-encoded, JSON-escaped, inside Basic credentials, in cookies) as well as
// the values of secret parameters and headers it was not told about.
//
// It imports only the standard library, so that every layer of the harness
// (steps, load, reports, profile, cmd) can share it; the reference server does
// not use it.
package redact

import (
	"net/http"
	"strings"
)

// Marker replaces every hidden value.
const Marker = "[REDACTED]"

// secretParams lists the form, query and JSON parameter names whose values are
// secrets: RFC 6749 §2.3.1 (client_secret), §4.1 (code), §4.3 (password),
// §5.1 and §6 (access_token, refresh_token), RFC 7636 (code_verifier), RFC 7009
// and RFC 7662 (token), RFC 7521/7523 (assertion, client_assertion), RFC 8693
// (subject_token, actor_token), RFC 8628 (device_code), OpenID Connect
// (id_token).
const secretParams = "access_token refresh_token id_token token code code_verifier client_secret password " +
	"assertion client_assertion subject_token actor_token device_code registration_access_token"

// SecretParams returns the parameter and JSON field names whose values are
// always hidden, whatever their origin.
func SecretParams() []string { return strings.Fields(secretParams) }

// IsSecretParam reports whether a form, query or JSON parameter called name
// carries a secret (compared case-insensitively).
func IsSecretParam(name string) bool {
	for _, p := range strings.Fields(secretParams) {
		if strings.EqualFold(p, name) {
			return true
		}
	}
	return false
}

// secretHeaders are hidden whole (Authorization keeps its scheme: RFC 9110
// §11.6.2; cookies keep their names: RFC 6265 §4).
const secretHeaders = "Authorization Proxy-Authorization Cookie Set-Cookie X-Api-Key X-Auth-Token"

// SecretHeaders returns the header names whose values are hidden.
func SecretHeaders() []string { return strings.Fields(secretHeaders) }

// IsSecretHeader reports whether header name carries credentials: the
// Authorization and cookie headers, and any header whose name mentions a
// token, secret, password or API key.
func IsSecretHeader(name string) bool {
	c := http.CanonicalHeaderKey(name)
	for _, h := range strings.Fields(secretHeaders) {
		if c == h {
			return true
		}
	}
	l := strings.ToLower(name)
	for _, w := range []string{"token", "secret", "password", "api-key", "apikey"} {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// HeaderValue returns value of header name with its secret hidden: an
// Authorization value keeps its scheme ("Basic [REDACTED]"), a cookie keeps
// its name and attributes ("sid=[REDACTED]; HttpOnly"), any other secret
// header becomes Marker. Values of other headers are returned unchanged.
func HeaderValue(name, value string) string {
	switch c := http.CanonicalHeaderKey(name); {
	case c == "Authorization" || c == "Proxy-Authorization":
		scheme, _, found := strings.Cut(strings.TrimSpace(value), " ")
		if !found || isRedacted(value) {
			return hideUnlessRedacted(value)
		}
		return scheme + " " + Marker
	case c == "Cookie":
		return cookieValues(value, true)
	case c == "Set-Cookie":
		return cookieValues(value, false)
	case IsSecretHeader(name):
		return hideUnlessRedacted(value)
	}
	return value
}

// Header returns a copy of h with every secret header value hidden (see
// HeaderValue).
func Header(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		for _, v := range vs {
			out[k] = append(out[k], HeaderValue(k, v))
		}
	}
	return out
}

// cookieValues hides the value of every name=value pair of a Cookie header
// (all pairs) or of a Set-Cookie header (the first pair; the attributes that
// follow are not secret).
func cookieValues(v string, all bool) string {
	parts := strings.Split(v, ";")
	for i, p := range parts {
		if i > 0 && !all {
			break
		}
		name, val, ok := strings.Cut(p, "=")
		if !ok {
			if i == 0 {
				parts[i] = hideUnlessRedacted(p)
			}
			continue
		}
		parts[i] = name + "=" + hideUnlessRedacted(val)
	}
	return strings.Join(parts, ";")
}

func hideUnlessRedacted(v string) string {
	if isRedacted(v) {
		return v
	}
	return Marker
}

// isRedacted reports whether v is empty or already a redaction marker
// ("[REDACTED]", "%5BREDACTED%5D", "***", "…", a shortened "abcdef…").
func isRedacted(v string) bool {
	v = strings.TrimSpace(v)
	u := strings.ToUpper(v)
	if v == "" || strings.Contains(u, "REDACTED") || strings.Trim(v, "*.…x") == "" {
		return true
	}
	head, ok := strings.CutSuffix(v, "…")
	return ok && len(head) <= shortPrefix
}
