package load

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestAbsoluteEndpointOnAnotherOrigin runs the code flow with the token and
// authorize endpoints given as absolute URLs on the reference, while the
// base URL is a closed port: every request must go to the absolute URLs.
func TestAbsoluteEndpointOnAnotherOrigin(t *testing.T) {
	base := startReference(t)
	o := demoOptions(t, "http://127.0.0.1:1", "rfc6749", AuthorizationCode)
	o.Profile.Token.Path = base + o.Profile.Token.Path
	o.Profile.Authorize.Path = base + o.Profile.Authorize.Path
	o.Duration, o.Rate = 2*time.Second, 40
	o.OutDir = t.TempDir()
	rep, err := Run(context.Background(), o)
	require.NoError(t, err)
	require.Greater(t, rep.Requests, uint64(20))
	require.GreaterOrEqual(t, rep.SuccessRatio, 0.999, "errors: %v", rep.Errors)
	require.Empty(t, RemoteEndpoints(o.Profile), "loopback endpoints are not remote")
}

func TestRemoteEndpoints(t *testing.T) {
	cases := []struct {
		description string
		introspect  string
		want        []string
	}{
		{"a path is on the target", "/introspect", nil},
		{"an absolute loopback URL is local", "http://127.0.0.1:9000/introspect", nil},
		{"localhost is local", "http://localhost:9000/introspect", nil},
		{"another host is remote", "https://admin.example.com/introspect", []string{"introspection.path (https://admin.example.com/introspect)"}},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			o := demoOptions(t, "http://127.0.0.1:1", "rfc6749", ClientCredentials)
			o.Profile.Introspection.Path = tc.introspect
			require.Equal(t, tc.want, RemoteEndpoints(o.Profile))
		})
	}
}
