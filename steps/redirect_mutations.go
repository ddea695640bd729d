package steps

import (
	"net"
	"net/url"
	"strings"
)

// hostKind is what a redirect URI's host is; which mutations make sense
// depends on it (RFC 3986 §3.2.2).
type hostKind int

const (
	hostNone      hostKind = iota // no authority: a private-use scheme (RFC 8252 §7.1) or an opaque URI
	hostDNS                       // a registered name
	hostLocalhost                 // "localhost" (RFC 6761 §6.3; RFC 8252 §7.3 lets its port vary)
	hostIPv4                      // an IPv4 literal
	hostIPv6                      // an IPv6 literal, written in brackets
)

// kindOf classifies u's host.
func kindOf(u *url.URL) hostKind {
	h := u.Hostname()
	switch {
	case u.Opaque != "" || h == "":
		return hostNone
	case strings.EqualFold(h, "localhost"):
		return hostLocalhost
	case strings.Contains(h, ":"):
		return hostIPv6
	case net.ParseIP(h) != nil:
		return hostIPv4
	}
	return hostDNS
}

// mutate returns redirect URI ru changed in one way an exact-match check must
// refuse (RFC 6749 §3.1.2.3: simple string comparison, RFC 3986 §6.2.1; RFC
// 9700 §2.1), always a valid URI of ru's kind. A mutation that makes no sense
// for ru (a subdomain of an IP literal, a port of a URI without a host) is
// an errSkip with the reason; an unknown mutation is a harness error.
func mutate(ru, how string) (string, error) {
	u, err := url.Parse(ru)
	if err != nil {
		return "", errSkip("the registered redirect URI %q does not parse as a URI (%v), so it cannot be changed by %s", ru, err, how)
	}
	kind := kindOf(u)
	if u.Opaque != "" {
		return "", errSkip("the registered redirect URI %q is opaque (no path to change)", ru)
	}
	switch how {
	case "extra path":
		u.Path = strings.TrimSuffix(u.Path, "/") + "/extra"
	case "extra query":
		q := u.Query()
		q.Set("extra", "1")
		u.RawQuery = q.Encode()
	case "trailing slash":
		if strings.HasSuffix(u.Path, "/") {
			u.Path += "x/"
		} else {
			u.Path += "/"
		}
	case "upper case":
		return upperCase(u, kind)
	case "explicit port", "subdomain", "userinfo":
		return mutateAuthority(u, kind, how)
	default:
		return "", harnessf("unknown redirect URI mutation %q (a feature names one mutate does not know)", how)
	}
	return u.String(), nil
}

// upperCase changes the letter case of u's path, or of its host when the path
// has no letters: simple string comparison tells them apart.
func upperCase(u *url.URL, kind hostKind) (string, error) {
	if up := strings.ToUpper(u.Path); up != u.Path {
		u.Path = up
		return u.String(), nil
	}
	if kind == hostDNS || kind == hostLocalhost {
		if up := strings.ToUpper(u.Hostname()); up != u.Hostname() {
			u.Host = withPort(up, u.Port())
			return u.String(), nil
		}
	}
	return "", errSkip("the registered redirect URI %s has no lower-case letter in its path or host name to upper-case", u)
}

// mutateAuthority changes u's host part: another port, a subdomain, or
// userinfo.
func mutateAuthority(u *url.URL, kind hostKind, how string) (string, error) {
	if kind == hostNone {
		return "", errSkip("the registered redirect URI %s has no host (a private-use scheme, RFC 8252 §7.1), so it has no %s to change", u, how)
	}
	switch how {
	case "explicit port":
		if loopbackRedirect(u.String()) {
			return "", errSkip("the registered redirect URI is a loopback one, and RFC 8252 §7.3 / RFC 9700 §2.1 let those use any port; register a non-loopback redirect URI (the suite never follows redirects) to check port matching")
		}
		port := "8443"
		if u.Port() == port {
			port = "8444"
		}
		u.Host = withPort(u.Hostname(), port)
	case "subdomain":
		switch kind {
		case hostIPv4, hostIPv6:
			return "", errSkip("the registered redirect URI's host %s is an IP literal, which has no subdomains (RFC 3986 §3.2.2); the unregistered redirect URI scenario covers another host", u.Hostname())
		}
		// A name under localhost is valid too (RFC 6761 §6.3).
		u.Host = withPort("evil."+u.Hostname(), u.Port())
	case "userinfo":
		u.User = url.User("attacker")
	}
	return u.String(), nil
}

// withPort joins host and port ("" for none), bracketing an IPv6 literal.
func withPort(host, port string) string {
	if port == "" {
		if strings.Contains(host, ":") {
			return "[" + host + "]"
		}
		return host
	}
	return net.JoinHostPort(host, port)
}
