package browser

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/oauthconf/oauthconf/internal/httpx"
)

// parseOrigins parses the authorization URL's origin and the allowed ones.
func parseOrigins(auth *url.URL, allowed []string) ([]httpx.Origin, error) {
	out := []httpx.Origin{httpx.OriginOf(auth)}
	for _, s := range allowed {
		u, err := url.Parse(s)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return nil, fmt.Errorf("browser: allowed origin %q is not an absolute URL like https://login.example.com", s)
		}
		out = append(out, httpx.OriginOf(u))
	}
	return out, nil
}

// allowedURL reports whether the browser may navigate to raw: an http(s) URL
// on one of the origins, or a page the browser makes itself (about:blank).
func allowedURL(raw string, origins []httpx.Origin) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	if u.Scheme == "about" || u.Scheme == "data" {
		return true
	}
	o := httpx.OriginOf(u)
	for _, a := range origins {
		if a == o {
			return true
		}
	}
	return false
}

// isRedirect reports whether raw is a request to the redirect URI: the same
// scheme, host, port and path (RFC 6749 §3.1.2: the query may add parameters).
func isRedirect(raw string, redirect *url.URL) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	return httpx.SameEndpoint(u, redirect)
}

// urlMatches reports whether the page URL got matches want: it contains want,
// or want is a regular expression that matches it.
func urlMatches(got, want string) bool {
	if strings.Contains(got, want) {
		return true
	}
	re, err := regexp.Compile(want)
	return err == nil && re.MatchString(got)
}
