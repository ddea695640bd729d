// Package hostile starts misbehaving loopback targets for tests: one that
// accepts connections and never answers, one that hangs up at once (with a
// FIN or a reset), and a port where nothing listens. The harness must name
// each and survive it within its time bounds; the tests of steps, load and
// cmd/oauthconf share these targets. Every server listens on 127.0.0.1 only
// and is closed, with each connection it accepted, when the test ends.
package hostile

import (
	"net"
	"sync"
	"testing"
)

// Listen serves each accepted connection with handle, one after another,
// on a loopback port, and returns the server's base URL
// (http://127.0.0.1:PORT). handle need not close the connection.
func Listen(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
	)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			handle(c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + ln.Addr().String()
}

// NeverAnswers returns the URL of a server that accepts every connection
// and never reads or writes a byte.
func NeverAnswers(t *testing.T) string { return Listen(t, func(net.Conn) {}) }

// HangsUp returns the URL of a server that closes every connection as soon
// as it accepts it (a FIN), without reading the request.
func HangsUp(t *testing.T) string {
	return Listen(t, func(c net.Conn) { _ = c.Close() })
}

// Refused returns a loopback URL where nothing listens (a port just
// closed): a connection to it is refused.
func Refused(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return url
}

// Resets returns the URL of a server that closes every connection as soon
// as it accepts it, with a TCP reset (SO_LINGER 0).
func Resets(t *testing.T) string {
	return Listen(t, func(c net.Conn) {
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		_ = c.Close()
	})
}
