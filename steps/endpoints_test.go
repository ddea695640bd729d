package steps

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/oauthconf/oauthconf/reference"
)

// TestEndpointsOnAnotherOrigin serves one reference server on two origins and
// gives the introspection endpoint and the protected resource as absolute
// URLs on the second: their scenarios pass, and their requests reach it.
func TestEndpointsOnAnotherOrigin(t *testing.T) {
	srv, err := reference.New(reference.DemoConfig(), reference.WithTestClock())
	if err != nil {
		t.Fatal(err)
	}
	main := httptest.NewServer(srv)
	var hits atomic.Int64
	admin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { main.Close(); admin.Close(); srv.Close() })

	o := demoOptions(t, "rfc6749", main.URL)
	o.Profile.Introspection.Path = admin.URL + "/oauth2/introspect"
	o.Profile.Resources["protected"].Path = admin.URL + "/oauth2/resource"
	o.Tags = "@rfc7662-2.2-access-token,@rfc6750-2.1,@rfc6750-3.1-forged"
	res, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if f := failing(res); len(f) > 0 {
		t.Fatalf("failed: %v", f)
	}
	var passed int
	for _, s := range res.Scenarios() {
		if s.Status == StatusPassed {
			passed++
		}
	}
	if passed < 3 {
		t.Errorf("%d scenarios passed, want the 3 selected", passed)
	}
	if hits.Load() < 3 {
		t.Errorf("the second origin got %d requests, want every introspection and resource request", hits.Load())
	}
}
