package reference

import (
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestConcurrentRedemptionsSucceedExactlyOnce(t *testing.T) {
	const n = 64
	cases := []struct {
		description string
		prepare     func(ts *testServer) func() reply
	}{
		{"one Ucommerce code", func(ts *testServer) func() reply {
			code := ts.ucCode()
			return func() reply { return ts.ucExchange(code) }
		}},
		{"one RFC 6749 code", func(ts *testServer) func() reply {
			code := ts.rfcCode(nil)
			return func() reply { return ts.rfcExchange(code, nil) }
		}},
		{"one Ucommerce refresh token", func(ts *testServer) func() reply {
			rt := ts.ucExchange(ts.ucCode()).json(t)["refresh_token"].(string)
			return func() reply {
				return ts.do(req{path: "/api/v1/oauth/token", header: basic(ucID, ucSecret), form: url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}})
			}
		}},
		{"one Shopware refresh token", func(ts *testServer) func() reply {
			rt := ts.swPassword()["refresh_token"].(string)
			return func() reply {
				return ts.do(req{path: "/api/oauth/token", json: map[string]string{"grant_type": "refresh_token", "client_id": "administration", "refresh_token": rt}})
			}
		}},
		{"one RFC 6749 refresh token", func(ts *testServer) func() reply {
			rt := ts.rfcExchange(ts.rfcCode(nil), nil).json(t)["refresh_token"].(string)
			return func() reply {
				return ts.do(req{path: "/oauth2/token", header: basic(rfcID, rfcSecret), form: url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}})
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			ts := newTestServer(t)
			var do func() reply
			got := concurrentSuccesses(t, n, func() reply { return do() }, func() { do = tc.prepare(ts) })
			require.Equal(t, 1, got, "%d concurrent redemptions must give exactly one 200", n)
		})
	}
}

func TestStateIsPurgedAndBounded(t *testing.T) {
	t.Run("expired codes and tokens are purged", func(t *testing.T) {
		ts := newTestServer(t)
		for i := 0; i < 50; i++ {
			ts.epToken("client_credentials")
			ts.ucCode()
			ts.swPassword()
		}
		st := ts.Stats()
		require.Equal(t, 50, st.OpaqueTokens)
		require.Equal(t, 50, st.Codes)
		require.Equal(t, 50, st.RefreshTokens)
		ts.advance(169 * time.Hour) // past every lifetime, refresh tokens' week included
		require.Equal(t, 150, ts.Purge())
		require.Equal(t, Stats{}, ts.Stats())
	})
	t.Run("stores stay within their bound under sustained issuance", func(t *testing.T) {
		srv, err := New(DemoConfig(), WithMaxEntries(64), WithPurgeInterval(0))
		require.NoError(t, err)
		defer srv.Close()
		ts := &testServer{Server: srv, t: t}
		hs := newLoopback(t, srv)
		ts.URL, ts.client = hs.URL, hs.Client()
		for i := 0; i < 500; i++ {
			ts.epToken("client_credentials")
		}
		require.LessOrEqual(t, srv.Stats().OpaqueTokens, 64)
	})
}
