package reference

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestShopwareTokenEndpoint(t *testing.T) {
	cases := []struct {
		description string
		body        map[string]string
		form        bool
		header      map[string]string
		wantStatus  int
		wantCode    string // Shopware error code; "" for success
		wantRefresh bool
	}{
		{"client_credentials with an integration key", map[string]string{"grant_type": "client_credentials", "client_id": swKey, "client_secret": swSecret}, false, nil, 200, "", false},
		{"client_credentials as a form body", map[string]string{"grant_type": "client_credentials", "client_id": swKey, "client_secret": swSecret}, true, nil, 200, "", false},
		{"password grant with the administration client", map[string]string{"grant_type": "password", "client_id": "administration", "username": "admin", "password": "shopware", "scopes": "write"}, false, nil, 200, "", true},
		{"wrong integration secret", map[string]string{"grant_type": "client_credentials", "client_id": swKey, "client_secret": "nope"}, false, nil, 401, "4", false},
		{"unknown integration key", map[string]string{"grant_type": "client_credentials", "client_id": "SWIAUNKNOWN", "client_secret": swSecret}, false, nil, 401, "4", false},
		{"missing client_secret is code 2 (League quirk)", map[string]string{"grant_type": "client_credentials", "client_id": swKey}, false, nil, 400, "2", false},
		{"missing client_id", map[string]string{"grant_type": "client_credentials", "client_secret": swSecret}, false, nil, 400, "3", false},
		{"wrong user password", map[string]string{"grant_type": "password", "client_id": "administration", "username": "admin", "password": "nope"}, false, nil, 400, "6", false},
		{"password grant with another client_id", map[string]string{"grant_type": "password", "client_id": swKey, "username": "admin", "password": "shopware"}, false, nil, 400, "2", false},
		{"missing username", map[string]string{"grant_type": "password", "client_id": "administration", "password": "shopware"}, false, nil, 400, "3", false},
		{"unknown grant", map[string]string{"grant_type": "implicit", "client_id": swKey}, false, nil, 400, "2", false},
		{"bad scope", map[string]string{"grant_type": "password", "client_id": "administration", "username": "admin", "password": "shopware", "scope": "root"}, false, nil, 400, "5", false},
		{"junk refresh token", map[string]string{"grant_type": "refresh_token", "client_id": "administration", "refresh_token": "def502junk"}, false, nil, 400, "8", false},
	}
	ts := newTestServer(t)
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			r := req{path: "/api/oauth/token", json: tc.body, header: tc.header}
			if tc.form {
				f := url.Values{}
				for k, v := range tc.body {
					f.Set(k, v)
				}
				r.json, r.form = nil, f
			}
			rp := ts.do(r)
			require.Equal(t, tc.wantStatus, rp.status, string(rp.body))
			body := rp.json(t)
			if tc.wantCode != "" {
				e := body["errors"].([]any)[0].(map[string]any)
				require.Equal(t, tc.wantCode, e["code"])
				require.Equal(t, strconv.Itoa(tc.wantStatus), e["status"])
				require.Contains(t, e, "title")
				require.Contains(t, e, "detail")
				require.Empty(t, rp.header.Get("WWW-Authenticate"), "no challenge without an Authorization header")
				return
			}
			require.Equal(t, "Bearer", body["token_type"])
			require.EqualValues(t, 600, body["expires_in"])
			require.Equal(t, "no-store", rp.header.Get("Cache-Control"))
			require.Equal(t, "no-cache", rp.header.Get("Pragma"))
			_, hasRefresh := body["refresh_token"]
			require.Equal(t, tc.wantRefresh, hasRefresh)
			c := jwtClaims(t, body["access_token"].(string))
			require.InDelta(t, 600, c["exp"].(float64)-c["iat"].(float64), 0.001)
			for _, k := range []string{"aud", "jti", "nbf", "sub", "scopes"} {
				require.Contains(t, c, k)
			}
		})
	}
}

func TestShopwareInvalidClientViaBasicIsChallenged(t *testing.T) {
	ts := newTestServer(t)
	rp := ts.do(req{path: "/api/oauth/token", header: basic(swKey, "wrong"), json: map[string]string{"grant_type": "client_credentials"}})
	require.Equal(t, 401, rp.status, string(rp.body))
	require.Equal(t, `Basic realm="OAuth"`, rp.header.Get("WWW-Authenticate"))
}

func TestShopwareRefreshRotation(t *testing.T) {
	ts := newTestServer(t)
	first := ts.swPassword()
	refresh := func(rt string) reply {
		return ts.do(req{path: "/api/oauth/token", json: map[string]string{"grant_type": "refresh_token", "client_id": "administration", "refresh_token": rt}})
	}
	rp := refresh(first["refresh_token"].(string))
	require.Equal(t, 200, rp.status, string(rp.body))
	second := rp.json(t)
	require.NotEqual(t, first["refresh_token"], second["refresh_token"])
	rp = refresh(first["refresh_token"].(string))
	require.Equal(t, 400, rp.status, "the old refresh token is revoked: %s", rp.body)
	require.Equal(t, "8", rp.json(t)["errors"].([]any)[0].(map[string]any)["code"])
	rp = refresh(second["refresh_token"].(string))
	require.Equal(t, 200, rp.status, string(rp.body))
}

// TestShopwareRefreshRules covers League's RefreshTokenGrant as Shopware runs
// it (docs/vendors.md §2): the token is linked to "administration", and a refresh
// may only narrow the scopes.
func TestShopwareRefreshRules(t *testing.T) {
	cases := []struct {
		description string
		extra       map[string]string // over grant_type, client_id administration, refresh_token
		wantStatus  int
		wantCode    string
		wantScopes  []any
	}{
		{"administration refreshes its own token", nil, 200, "", []any{"write", "admin"}},
		{"a narrower scope is granted", map[string]string{"scope": "write"}, 200, "", []any{"write"}},
		{"user-verified was not requested, so asking for it widens", map[string]string{"scope": "write admin user-verified"}, 400, "5", nil},
		{"an integration with its key pair: token not linked to it", map[string]string{"client_id": swKey, "client_secret": swSecret}, 400, "8", nil},
		{"an integration with a wrong secret", map[string]string{"client_id": swKey, "client_secret": "nope"}, 401, "4", nil},
		{"an integration without its secret", map[string]string{"client_id": swKey}, 401, "4", nil},
	}
	ts := newTestServer(t)
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			body := map[string]string{"grant_type": "refresh_token", "client_id": "administration", "refresh_token": ts.swPassword()["refresh_token"].(string)}
			for k, v := range tc.extra {
				body[k] = v
			}
			rp := ts.do(req{path: "/api/oauth/token", json: body})
			require.Equal(t, tc.wantStatus, rp.status, string(rp.body))
			if tc.wantCode != "" {
				require.Equal(t, tc.wantCode, rp.json(t)["errors"].([]any)[0].(map[string]any)["code"])
				return
			}
			require.Equal(t, tc.wantScopes, jwtClaims(t, rp.json(t)["access_token"].(string))["scopes"])
		})
	}
}

func TestShopwareUserVerifiedScopeSurvivesOnlyIfRequested(t *testing.T) {
	ts := newTestServer(t)
	rp := ts.do(req{path: "/api/oauth/token", json: map[string]string{"grant_type": "password", "client_id": "administration", "username": "admin", "password": "shopware", "scope": "write user-verified"}})
	require.Equal(t, 200, rp.status, string(rp.body))
	require.Equal(t, []any{"write", "admin", "user-verified"}, jwtClaims(t, rp.json(t)["access_token"].(string))["scopes"])
}

// TestShopwareRepeatedFormParameterLastWins: PHP's body parser keeps the last
// of repeated parameters, so Shopware does not refuse them.
func TestShopwareRepeatedFormParameterLastWins(t *testing.T) {
	ts := newTestServer(t)
	body := url.Values{"grant_type": {"password", "client_credentials"}, "client_id": {swKey}, "client_secret": {swSecret}}
	rp := ts.do(req{path: "/api/oauth/token", form: body})
	require.Equal(t, 200, rp.status, string(rp.body))
	_, hasRefresh := rp.json(t)["refresh_token"]
	require.False(t, hasRefresh, "the last grant_type (client_credentials) was used")
}

func TestShopwareProtectedResource(t *testing.T) {
	ts := newTestServer(t)
	access := ts.swPassword()["access_token"].(string)
	cases := []struct {
		description string
		header      map[string]string
		advance     time.Duration
		want        int
	}{
		{"valid token", bearer(access), 0, 200},
		{"missing Authorization header", nil, 0, 401},
		{"malformed token", bearer("x.y"), 0, 401},
		{"lowercase scheme: League's regex is case-sensitive", map[string]string{"Authorization": "bearer " + access}, 0, 401},
		{"expired after 10 minutes", bearer(access), 601 * time.Second, 401},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			ts.advance(tc.advance)
			rp := ts.do(req{method: http.MethodGet, path: "/api/_info/version", header: tc.header})
			require.Equal(t, tc.want, rp.status, string(rp.body))
			if tc.want == 401 {
				require.Equal(t, "9", rp.json(t)["errors"].([]any)[0].(map[string]any)["code"])
				require.Empty(t, rp.header.Get("WWW-Authenticate"))
			}
		})
	}
}
