package httpx

import (
	"net/url"
	"testing"
)

func TestOriginOf(t *testing.T) {
	tests := []struct {
		description, url string
		want             Origin
		serialized       string
	}{
		{"https gets its default port", "https://Login.Example/authorize?x=1", "https://login.example:443", "https://login.example"},
		{"http gets its default port", "HTTP://127.0.0.1/a", "http://127.0.0.1:80", "http://127.0.0.1"},
		{"an explicit port is kept", "http://127.0.0.1:8080/a", "http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"the default port written out is the same origin", "https://login.example:443/", "https://login.example:443", "https://login.example"},
		{"an IPv6 host in brackets", "http://[::1]:9000/cb", "http://[::1]:9000", "http://[::1]:9000"},
		{"userinfo is no part of it", "https://alice:pw@login.example/", "https://login.example:443", "https://login.example"},
		{"a scheme without a default port", "ftp://files.example/x", "ftp://files.example", "ftp://files.example"},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			u, err := url.Parse(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			got := OriginOf(u)
			if got != tc.want || got.Serialize() != tc.serialized {
				t.Errorf("OriginOf(%s) = %q (serialized %q), want %q (%q)", tc.url, got, got.Serialize(), tc.want, tc.serialized)
			}
		})
	}
}

func TestSameEndpoint(t *testing.T) {
	tests := []struct {
		description string
		u, ru       string
		want        bool
	}{
		{"the same URI with the response's query", "https://app.example/cb?code=x", "https://app.example/cb", true},
		{"the default port written out", "https://app.example:443/cb", "https://APP.example/cb", true},
		{"the registered URI's own query kept", "https://app.example/cb?tenant=1&code=x", "https://app.example/cb?tenant=1", true},
		{"an empty path is /", "https://app.example?code=x", "https://app.example/", true},
		{"another port", "https://app.example:8443/cb", "https://app.example/cb", false},
		{"another host", "https://evil.example/cb?code=x", "https://app.example/cb", false},
		{"another path", "https://app.example/cb2", "https://app.example/cb", false},
		{"a path prefix only", "https://app.example/cb/evil", "https://app.example/cb", false},
		{"another scheme", "http://app.example/cb", "https://app.example/cb", false},
		{"the endpoint inside another URL's query", "https://evil.example/?u=https://app.example/cb", "https://app.example/cb", false},
		{"a private-use scheme (RFC 8252)", "com.example.app:/oauth2redirect?code=x", "com.example.app:/oauth2redirect", true},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			u, _ := url.Parse(tc.u)
			ru, _ := url.Parse(tc.ru)
			if got := SameEndpoint(u, ru); got != tc.want {
				t.Errorf("SameEndpoint(%s, %s) = %v, want %v", tc.u, tc.ru, got, tc.want)
			}
		})
	}
}
