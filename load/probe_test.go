package load

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/oauthconf/oauthconf/internal/hostile"
)

func TestProbeSaysWhyTheTargetDoesNotAnswer(t *testing.T) {
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close() // accepts (the kernel's backlog) and never answers
	refused := hostile.Refused(t)
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer plain.Close()

	cases := []struct {
		description string
		url         string
		want        string
	}{
		{"a silent server", "http://" + silent.Addr().String() + "/token", "timed out after 300ms waiting for response headers"},
		{"nothing listening", refused + "/token", "connection refused"},
		{"https to a plain-http server", strings.Replace(plain.URL, "http://", "https://", 1) + "/token", "answered in plain HTTP, not TLS (use http://)"},
		{"a server that answers", plain.URL + "/token", ""},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			err := Probe(context.Background(), tc.url, 300*time.Millisecond)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("want no error, got %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an error containing %q, got %v", tc.want, err)
			}
		})
	}
}
