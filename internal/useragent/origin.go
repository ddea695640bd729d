package useragent

import (
	"fmt"
	"net/url"
	"strings"
)

// origin is a URL's scheme, host and port (RFC 6454 §4), lower-cased, with
// the scheme's default port made explicit.
type origin string

// originOf returns u's origin.
func originOf(u *url.URL) origin {
	scheme := strings.ToLower(u.Scheme)
	return origin(scheme + "://" + hostPort(scheme, u))
}

// hostPort returns u's lower-cased host and its port, the default one for
// http and https when u names none.
func hostPort(scheme string, u *url.URL) string {
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if port == "" {
		switch scheme {
		case "http":
			port = "80"
		case "https":
			port = "443"
		}
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port == "" {
		return host
	}
	return host + ":" + port
}

// parseOrigins parses Config.AllowedOrigins: each an absolute http or https
// URL, of which only the origin counts.
func parseOrigins(list []string) ([]origin, error) {
	var out []origin
	for _, s := range list {
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("useragent: allowed origin %q is not an http or https origin such as https://login.example.com", s)
		}
		out = append(out, originOf(u))
	}
	return out, nil
}

// sameEndpoint reports whether u is the redirection endpoint ru: scheme,
// host, port and path equal, the query and fragment aside (RFC 6749 §3.1.2:
// the endpoint URI may carry a query the server keeps, and the response adds
// its parameters to it). An empty path equals "/". For URIs without an
// authority (private-use schemes, RFC 8252 §7.1) the opaque part is compared.
func sameEndpoint(u, ru *url.URL) bool {
	if !strings.EqualFold(u.Scheme, ru.Scheme) || u.Opaque != ru.Opaque {
		return false
	}
	scheme := strings.ToLower(u.Scheme)
	if hostPort(scheme, u) != hostPort(scheme, ru) {
		return false
	}
	p, rp := u.EscapedPath(), ru.EscapedPath()
	if p == "" {
		p = "/"
	}
	if rp == "" {
		rp = "/"
	}
	return p == rp
}

// withoutQuery returns u's scheme, host and path only: how a refused target is
// named, since its query may carry a code or a token meant for someone else.
func withoutQuery(u *url.URL) string {
	v := *u
	v.RawQuery, v.Fragment, v.RawFragment, v.User = "", "", "", nil
	v.ForceQuery = false
	return v.String()
}
