package httpx

import (
	"net/url"
	"strings"
)

// Origin is a URL's origin (RFC 6454 §4): "scheme://host:port", scheme and
// host lower case, an IPv6 host in brackets, the port made explicit where
// the scheme has a default one (80 for http, 443 for https). Two URLs are of
// the same origin when their Origins are equal. The login agents
// (internal/useragent, internal/browser) keep credentials and navigations to
// the origins they are allowed by it.
type Origin string

// OriginOf returns u's origin.
func OriginOf(u *url.URL) Origin {
	return Origin(strings.ToLower(u.Scheme) + "://" + hostPort(u))
}

// Serialize is the origin as an Origin header carries it (RFC 6454 §6.2):
// the scheme's default port left out, "https://login.example".
func (o Origin) Serialize() string {
	scheme, _, _ := strings.Cut(string(o), ":")
	if p := defaultPort(scheme); p != "" {
		return strings.TrimSuffix(string(o), ":"+p)
	}
	return string(o)
}

// defaultPort is scheme's port when a URL names none (RFC 9110 §4.2.1,
// §4.2.2), "" for a scheme other than http and https.
func defaultPort(scheme string) string {
	switch strings.ToLower(scheme) {
	case "http":
		return "80"
	case "https":
		return "443"
	}
	return ""
}

// hostPort returns u's lower-cased host (an IPv6 one in brackets) and its
// port, the scheme's default one when u names none.
func hostPort(u *url.URL) string {
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if port == "" {
		port = defaultPort(u.Scheme)
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port == "" {
		return host
	}
	return host + ":" + port
}

// SameEndpoint reports whether u is the redirection endpoint ru: scheme,
// host, port and path equal, the query and fragment aside (RFC 6749 §3.1.2:
// the endpoint URI may carry a query the server keeps, and the response adds
// its parameters to it). An empty path equals "/". For URIs without an
// authority (private-use schemes, RFC 8252 §7.1) the opaque part is compared.
func SameEndpoint(u, ru *url.URL) bool {
	if !strings.EqualFold(u.Scheme, ru.Scheme) || u.Opaque != ru.Opaque || hostPort(u) != hostPort(ru) {
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
