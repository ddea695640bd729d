package httpx

import (
	"net"
	"net/url"
	"strings"
)

// IsLoopback reports whether rawURL's host is a loopback address: 127.0.0.0/8,
// ::1 or "localhost" in any case (RFC 6761 §6.3; RFC 8252 §7.3 lets a server
// leave a loopback redirect's port unmatched). An unparsable URL is not.
func IsLoopback(rawURL string) bool {
	u, err := url.Parse(rawURL)
	if err != nil {
		return false
	}
	return IsLoopbackHost(u.Hostname())
}

// IsLoopbackHost reports whether host (no port) is a loopback address.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
