package browser

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
)

// origin is a URL's scheme, host and port (RFC 6454 §4), lower case, with the
// scheme's default port filled in.
type origin struct{ scheme, host, port string }

// originOf returns the origin of u.
func originOf(u *url.URL) origin {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "http":
			port = "80"
		case "https":
			port = "443"
		}
	}
	return origin{scheme: scheme, host: strings.ToLower(u.Hostname()), port: port}
}

// String is the origin as a URL prefix: http://127.0.0.1:8080.
func (o origin) String() string {
	return o.scheme + "://" + net.JoinHostPort(o.host, o.port)
}

// parseOrigins parses the authorization URL's origin and the allowed ones.
func parseOrigins(auth *url.URL, allowed []string) ([]origin, error) {
	out := []origin{originOf(auth)}
	for _, s := range allowed {
		u, err := url.Parse(s)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return nil, fmt.Errorf("browser: allowed origin %q is not an absolute URL like https://login.example.com", s)
		}
		out = append(out, originOf(u))
	}
	return out, nil
}

// allowedURL reports whether the browser may navigate to raw: an http(s) URL
// on one of the origins, or a page the browser makes itself (about:blank).
func allowedURL(raw string, origins []origin) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	if u.Scheme == "about" || u.Scheme == "data" {
		return true
	}
	o := originOf(u)
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
	return originOf(u) == originOf(redirect) && samePath(u.Path, redirect.Path)
}

// samePath compares paths, an empty path being "/".
func samePath(a, b string) bool {
	if a == "" {
		a = "/"
	}
	if b == "" {
		b = "/"
	}
	return a == b
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

// redactor removes credentials from text that leaves the package.
type redactor []string

// newRedactor redacts each secret, raw and URL-encoded (a GET form puts the
// password in the query). Secrets shorter than 4 bytes are too likely to be
// ordinary words; they are still never written by the package itself.
func newRedactor(secrets ...string) redactor {
	var r redactor
	for _, s := range secrets {
		if len(s) < 4 {
			continue
		}
		r = append(r, s, url.QueryEscape(s), url.PathEscape(s))
	}
	return r
}

// clean redacts the secrets in s.
func (r redactor) clean(s string) string {
	for _, secret := range r {
		s = strings.ReplaceAll(s, secret, "[redacted]")
	}
	return s
}
