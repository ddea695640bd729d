package reference

import (
	"net/http"
	"net/url"
	"strings"
)

// redirectAllowed compares redirect with the registered URIs by simple string
// comparison (RFC 6749 §3.1.2.3, RFC 9700 §2.1), or as the redirect defects say.
func (s *Server) redirectAllowed(registered []string, redirect string) bool {
	if redirect == "" {
		return false
	}
	for _, r := range registered {
		switch {
		case redirect == r:
			return true
		case s.has(RedirectPrefixMatch) && strings.HasPrefix(redirect, r):
			return true
		case s.has(RedirectCaseFold) && strings.EqualFold(redirect, r):
			return true
		}
	}
	return false
}

// redirectError redirects an authorization error to a valid redirect URI with
// error and the original state (RFC 6749 §4.1.2.1).
func (s *Server) redirectError(w http.ResponseWriter, r *http.Request, redirect, code, desc, state string) {
	v := url.Values{}
	v.Set("error", code)
	v.Set("error_description", descCharset(desc))
	if state != "" && !s.has(ErrorNoState) {
		v.Set("state", state)
	}
	w.Header().Set("Location", redirect+querySep(redirect)+v.Encode())
	w.WriteHeader(http.StatusFound)
}

// errorCode returns code, or a wrong one under the wrong-error-code defect.
func (s *Server) errorCode(code string) string {
	if !s.has(WrongErrorCode) {
		return code
	}
	if code == "invalid_request" {
		return "server_error"
	}
	return "invalid_request"
}

// bearerChallenge is the WWW-Authenticate value of a 401 from a protected
// resource (RFC 6750 §3): no error attribute when the request had no token.
func bearerChallenge(realm string, e *oauthError) string {
	c := `Bearer realm="` + realm + `"`
	if e.reason != reasonNoToken && e.code != "" {
		c += `, error="` + e.code + `", error_description="` + descCharset(e.desc) + `"`
	}
	return c
}
