package reference

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func s256(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-oauthconf"

func TestRFC6749Authorize(t *testing.T) {
	ts := newTestServer(t)
	cases := []struct {
		description string
		query       url.Values
		wantStatus  int
		wantInLoc   string // "" means no redirect
	}{
		{"code flow", url.Values{"client_id": {rfcID}, "redirect_uri": {rfcURI}, "response_type": {"code"}, "state": {"st"}}, 302, "code="},
		{"redirect_uri may be omitted with one registered", url.Values{"client_id": {rfcID}, "response_type": {"code"}}, 302, "code="},
		{"implicit flow puts the token in the fragment", url.Values{"client_id": {rfcID}, "redirect_uri": {rfcURI}, "response_type": {"token"}, "state": {"st"}}, 302, "#access_token="},
		{"unknown client is not redirected", url.Values{"client_id": {"nope"}, "redirect_uri": {rfcURI}, "response_type": {"code"}}, 400, ""},
		{"unregistered redirect is not redirected", url.Values{"client_id": {rfcID}, "redirect_uri": {"https://evil.example.test/cb"}, "response_type": {"code"}}, 400, ""},
		{"userinfo trick is not redirected", url.Values{"client_id": {rfcID}, "redirect_uri": {"https://client.example.test@evil.example.test/callback"}, "response_type": {"code"}}, 400, ""},
		{"subdomain is not redirected", url.Values{"client_id": {rfcID}, "redirect_uri": {"https://evil.client.example.test/callback"}, "response_type": {"code"}}, 400, ""},
		{"bad response_type is redirected with state", url.Values{"client_id": {rfcID}, "redirect_uri": {rfcURI}, "response_type": {"bogus"}, "state": {"st"}}, 302, "error=unsupported_response_type"},
		{"unknown scope", url.Values{"client_id": {rfcID}, "redirect_uri": {rfcURI}, "response_type": {"code"}, "scope": {"admin"}, "state": {"st"}}, 302, "error=invalid_scope"},
		{"plain PKCE is refused", url.Values{"client_id": {rfcID}, "redirect_uri": {rfcURI}, "response_type": {"code"}, "code_challenge": {"abc"}, "code_challenge_method": {"plain"}, "state": {"st"}}, 302, "error=invalid_request"},
		{"unknown PKCE method is refused", url.Values{"client_id": {rfcID}, "redirect_uri": {rfcURI}, "response_type": {"code"}, "code_challenge": {"abc"}, "code_challenge_method": {"foo"}, "state": {"st"}}, 302, "error=invalid_request"},
		{"public client without PKCE is refused", url.Values{"client_id": {rfcPublic}, "redirect_uri": {rfcPubURI}, "response_type": {"code"}, "state": {"st"}}, 302, "error=invalid_request"},
		{"client not registered for implicit", url.Values{"client_id": {rfcOtherID}, "redirect_uri": {"https://other.example.test/callback"}, "response_type": {"token"}, "state": {"st"}}, 302, "error=unauthorized_client"},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			rp := ts.do(req{method: http.MethodGet, path: "/oauth2/authorize?" + tc.query.Encode()})
			require.Equal(t, tc.wantStatus, rp.status, string(rp.body))
			loc := rp.header.Get("Location")
			if tc.wantInLoc == "" {
				require.Empty(t, loc)
				require.Equal(t, "invalid_request", rp.json(t)["error"])
				return
			}
			require.Contains(t, loc, tc.wantInLoc)
			if st := tc.query.Get("state"); st != "" {
				require.Contains(t, loc, "state="+st)
			}
			require.NotContains(t, loc, "refresh_token")
		})
	}
}

func TestRFC6749TokenEndpoint(t *testing.T) {
	cases := []struct {
		description string
		header      map[string]string
		form        url.Values
		path        string // query added to the token path
		method      string
		wantStatus  int
		wantError   string
	}{
		{"client_credentials with Basic", basic(rfcID, rfcSecret), url.Values{"grant_type": {"client_credentials"}}, "", "", 200, ""},
		{"client_credentials with client_secret_post", nil, url.Values{"grant_type": {"client_credentials"}, "client_id": {rfcID}, "client_secret": {rfcSecret}}, "", "", 200, ""},
		{"unknown parameters are ignored", basic(rfcID, rfcSecret), url.Values{"grant_type": {"client_credentials"}, "foo": {"bar"}}, "", "", 200, ""},
		{"password grant", basic(rfcID, rfcSecret), url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {"wonderland-42"}}, "", "", 200, ""},
		{"wrong user password", basic(rfcID, rfcSecret), url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {"nope"}}, "", "", 400, "invalid_grant"},
		{"wrong secret via Basic is 401", basic(rfcID, "nope"), url.Values{"grant_type": {"client_credentials"}}, "", "", 401, "invalid_client"},
		{"wrong secret via body is 400", nil, url.Values{"grant_type": {"client_credentials"}, "client_id": {rfcID}, "client_secret": {"nope"}}, "", "", 400, "invalid_client"},
		{"no client authentication", nil, url.Values{"grant_type": {"client_credentials"}}, "", "", 400, "invalid_client"},
		{"secret in the query string is refused", nil, url.Values{"grant_type": {"client_credentials"}}, "?client_id=" + rfcID + "&client_secret=" + rfcSecret, "", 400, "invalid_request"},
		{"two authentication methods are refused", basic(rfcID, rfcSecret), url.Values{"grant_type": {"client_credentials"}, "client_secret": {rfcSecret}}, "", "", 400, "invalid_request"},
		{"repeated parameter", basic(rfcID, rfcSecret), url.Values{"grant_type": {"client_credentials", "client_credentials"}}, "", "", 400, "invalid_request"},
		{"unknown grant", basic(rfcID, rfcSecret), url.Values{"grant_type": {"foo"}}, "", "", 400, "unsupported_grant_type"},
		{"missing grant_type", basic(rfcID, rfcSecret), url.Values{"scope": {"read"}}, "", "", 400, "invalid_request"},
		{"unknown scope", basic(rfcID, rfcSecret), url.Values{"grant_type": {"client_credentials"}, "scope": {"admin"}}, "", "", 400, "invalid_scope"},
		{"public client may not use client_credentials", nil, url.Values{"grant_type": {"client_credentials"}, "client_id": {rfcPublic}}, "", "", 400, "unauthorized_client"},
		{"GET is refused", basic(rfcID, rfcSecret), nil, "?grant_type=client_credentials", http.MethodGet, 405, "invalid_request"},
	}
	ts := newTestServer(t)
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			rp := ts.do(req{method: tc.method, path: "/oauth2/token" + tc.path, header: tc.header, form: tc.form})
			require.Equal(t, tc.wantStatus, rp.status, string(rp.body))
			body := rp.json(t)
			if tc.wantError != "" {
				require.Equal(t, tc.wantError, body["error"])
				require.Regexp(t, `^[\x20-\x21\x23-\x5B\x5D-\x7E]*$`, body["error_description"], "RFC 6749 §5.2 charset")
				if tc.wantStatus == 401 {
					require.Equal(t, `Basic realm="oauthconf"`, rp.header.Get("WWW-Authenticate"))
				}
				return
			}
			require.Equal(t, "Bearer", body["token_type"])
			require.EqualValues(t, 3600, body["expires_in"])
			require.Equal(t, "no-store", rp.header.Get("Cache-Control"))
			require.Equal(t, "no-cache", rp.header.Get("Pragma"))
			if tc.form.Get("grant_type") == "client_credentials" {
				require.NotContains(t, body, "refresh_token", "RFC 6749 §4.4.3")
			}
		})
	}
}

func TestRFC6749CodeExchange(t *testing.T) {
	cases := []struct {
		description string
		authExtra   url.Values
		mutate      func(ts *testServer, code string) reply
		wantStatus  int
		wantError   string
	}{
		{"code exchanged once", nil, func(ts *testServer, code string) reply { return ts.rfcExchange(code, nil) }, 200, ""},
		{"second exchange is invalid_grant", nil, func(ts *testServer, code string) reply {
			ts.rfcExchange(code, nil)
			return ts.rfcExchange(code, nil)
		}, 400, "invalid_grant"},
		{"other client's credentials", nil, func(ts *testServer, code string) reply {
			return ts.do(req{path: "/oauth2/token", header: basic(rfcOtherID, rfcOtherSc), form: url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {rfcURI}}})
		}, 400, "invalid_grant"},
		{"different redirect_uri", nil, func(ts *testServer, code string) reply {
			return ts.rfcExchange(code, url.Values{"redirect_uri": {rfcURI + "/x"}})
		}, 400, "invalid_grant"},
		{"expired code", nil, func(ts *testServer, code string) reply {
			ts.advance(61 * time.Second)
			return ts.rfcExchange(code, nil)
		}, 400, "invalid_grant"},
		{"PKCE verifier matches", url.Values{"code_challenge": {s256(verifier)}, "code_challenge_method": {"S256"}}, func(ts *testServer, code string) reply {
			return ts.rfcExchange(code, url.Values{"code_verifier": {verifier}})
		}, 200, ""},
		{"PKCE wrong verifier", url.Values{"code_challenge": {s256(verifier)}, "code_challenge_method": {"S256"}}, func(ts *testServer, code string) reply {
			return ts.rfcExchange(code, url.Values{"code_verifier": {verifier + "x"}})
		}, 400, "invalid_grant"},
		{"PKCE missing verifier", url.Values{"code_challenge": {s256(verifier)}, "code_challenge_method": {"S256"}}, func(ts *testServer, code string) reply {
			return ts.rfcExchange(code, nil)
		}, 400, "invalid_grant"},
		{"PKCE downgrade: verifier without challenge", nil, func(ts *testServer, code string) reply {
			return ts.rfcExchange(code, url.Values{"code_verifier": {verifier}})
		}, 400, "invalid_grant"},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			ts := newTestServer(t)
			rp := tc.mutate(ts, ts.rfcCode(tc.authExtra))
			require.Equal(t, tc.wantStatus, rp.status, string(rp.body))
			if tc.wantError != "" {
				require.Equal(t, tc.wantError, rp.json(t)["error"])
			}
		})
	}
}

func TestRFC6749PublicClientPKCE(t *testing.T) {
	ts := newTestServer(t)
	q := url.Values{"client_id": {rfcPublic}, "redirect_uri": {rfcPubURI}, "response_type": {"code"}, "code_challenge": {s256(verifier)}, "code_challenge_method": {"S256"}}
	rp := ts.do(req{method: http.MethodGet, path: "/oauth2/authorize?" + q.Encode()})
	require.Equal(t, 302, rp.status)
	loc, _ := url.Parse(rp.header.Get("Location"))
	rp = ts.do(req{path: "/oauth2/token", form: url.Values{"grant_type": {"authorization_code"}, "client_id": {rfcPublic}, "code": {loc.Query().Get("code")}, "redirect_uri": {rfcPubURI}, "code_verifier": {verifier}}})
	require.Equal(t, 200, rp.status, string(rp.body))
}

func TestRFC6749ReplayRevokesTokens(t *testing.T) {
	ts := newTestServer(t)
	code := ts.rfcCode(nil)
	first := ts.rfcExchange(code, nil).json(t)
	access := first["access_token"].(string)
	require.Equal(t, 200, ts.do(req{method: "GET", path: "/oauth2/resource", header: bearer(access)}).status)
	require.Equal(t, 400, ts.rfcExchange(code, nil).status)
	rp := ts.do(req{method: "GET", path: "/oauth2/resource", header: bearer(access)})
	require.Equal(t, 401, rp.status, "RFC 6749 §4.1.2: replay revokes the tokens issued from the code")
	rp = ts.do(req{path: "/oauth2/token", header: basic(rfcID, rfcSecret), form: url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first["refresh_token"].(string)}}})
	require.Equal(t, 400, rp.status, string(rp.body))
}

func TestRFC6749Refresh(t *testing.T) {
	ts := newTestServer(t)
	first := ts.rfcExchange(ts.rfcCode(url.Values{"scope": {"read write"}}), nil).json(t)
	refresh := func(hdr map[string]string, rt string, extra url.Values) reply {
		f := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
		for k, v := range extra {
			f[k] = v
		}
		return ts.do(req{path: "/oauth2/token", header: hdr, form: f})
	}
	rt1 := first["refresh_token"].(string)
	require.Equal(t, 400, refresh(basic(rfcOtherID, rfcOtherSc), rt1, nil).status, "bound to the client")
	require.Equal(t, "invalid_scope", refresh(basic(rfcID, rfcSecret), rt1, url.Values{"scope": {"read write admin"}}).json(t)["error"])
	rp := refresh(basic(rfcID, rfcSecret), rt1, url.Values{"scope": {"read"}})
	require.Equal(t, 200, rp.status, string(rp.body))
	second := rp.json(t)
	require.Equal(t, "read", second["scope"])
	rt2 := second["refresh_token"].(string)
	require.NotEqual(t, rt1, rt2)
	require.Equal(t, "invalid_grant", refresh(basic(rfcID, rfcSecret), rt1, nil).json(t)["error"], "rotated out")
	require.Equal(t, 400, refresh(basic(rfcID, rfcSecret), rt2, nil).status, "RFC 9700 §4.14.2: replaying RT1 revoked the family")
	require.Equal(t, 400, refresh(basic(rfcID, rfcSecret), "junk", nil).status)
}

func TestRFC6749RevocationAndResource(t *testing.T) {
	ts := newTestServer(t)
	access := ts.rfcCC()["access_token"].(string)
	other := ts.rfcCC()["access_token"].(string)
	resource := func(hdr map[string]string) reply {
		return ts.do(req{method: http.MethodGet, path: "/oauth2/resource", header: hdr})
	}
	rp := resource(nil)
	require.Equal(t, 401, rp.status)
	require.Equal(t, `Bearer realm="oauthconf"`, rp.header.Get("WWW-Authenticate"), "RFC 6750 §3: no error code without credentials")
	rp = resource(bearer("junk"))
	require.Equal(t, 401, rp.status)
	require.Contains(t, rp.header.Get("WWW-Authenticate"), `error="invalid_token"`)
	require.Equal(t, 200, resource(bearer(access)).status)
	require.Equal(t, 200, resource(map[string]string{"Authorization": "BEARER " + access}).status, "RFC 7235: scheme is case-insensitive")

	rp = ts.do(req{path: "/oauth2/revoke", header: basic(rfcOtherID, rfcOtherSc), form: url.Values{"token": {access}}})
	require.Equal(t, 400, rp.status, "RFC 7009 §2.1: another client's token is refused")
	rp = ts.do(req{path: "/oauth2/revoke", header: basic(rfcID, rfcSecret), form: url.Values{"token": {access}}})
	require.Equal(t, 200, rp.status, string(rp.body))
	require.Equal(t, 401, resource(bearer(access)).status, "revoked")
	require.Equal(t, 200, resource(bearer(other)).status, "only that token is revoked")
	rp = ts.do(req{path: "/oauth2/revoke", header: basic(rfcID, rfcSecret), form: url.Values{"token": {"unknown"}}})
	require.Equal(t, 200, rp.status, "RFC 7009 §2.2: unknown tokens are answered 200")
	rp = ts.do(req{path: "/oauth2/revoke", form: url.Values{"token": {other}}})
	require.Equal(t, 400, rp.status, "revocation needs client authentication")

	ts.advance(3601 * time.Second)
	rp = resource(bearer(other))
	require.Equal(t, 401, rp.status)
	require.True(t, strings.Contains(rp.header.Get("WWW-Authenticate"), "expired"))
}

func TestRFC6749Introspection(t *testing.T) {
	ts := newTestServer(t)
	grant := ts.rfcExchange(ts.rfcCode(url.Values{"scope": {"read write"}}), nil).json(t)
	access, rt := grant["access_token"].(string), grant["refresh_token"].(string)
	cc := ts.rfcCC()["access_token"].(string)
	revoked := ts.rfcCC()["access_token"].(string)
	require.Equal(t, 200, ts.do(req{path: "/oauth2/revoke", header: basic(rfcID, rfcSecret), form: url.Values{"token": {revoked}}}).status)

	inactive := `{"active":false}`
	cases := []struct {
		description string
		req         req
		wantStatus  int
		wantBody    string         // exact body, when set
		wantFields  map[string]any // fields of a JSON answer, when set
		wantHeader  string         // WWW-Authenticate prefix, when set
	}{
		{"a live access token is active, with its client, scope and expiry",
			req{path: "/oauth2/introspect", header: basic(rfcOtherID, rfcOtherSc), form: url.Values{"token": {access}}},
			200, "", map[string]any{"active": true, "client_id": rfcID, "scope": "read write", "token_type": "Bearer"}, ""},
		{"a live refresh token is active",
			req{path: "/oauth2/introspect", header: basic(rfcID, rfcSecret), form: url.Values{"token": {rt}, "token_type_hint": {"refresh_token"}}},
			200, "", map[string]any{"active": true, "client_id": rfcID, "token_type": "refresh_token"}, ""},
		{"a made-up token is inactive and nothing more",
			req{path: "/oauth2/introspect", header: basic(rfcID, rfcSecret), form: url.Values{"token": {"made-up"}}}, 200, inactive, nil, ""},
		{"a revoked access token is inactive",
			req{path: "/oauth2/introspect", header: basic(rfcID, rfcSecret), form: url.Values{"token": {revoked}}}, 200, inactive, nil, ""},
		{"no client authentication is 401 with a challenge",
			req{path: "/oauth2/introspect", form: url.Values{"token": {cc}}}, 401, "", map[string]any{"error": "invalid_client"}, "Basic"},
		{"a public client (client_id alone) is 401",
			req{path: "/oauth2/introspect", form: url.Values{"client_id": {"public-client"}, "token": {cc}}}, 401, "", map[string]any{"error": "invalid_client"}, ""},
		{"a wrong client secret is 401 with a challenge",
			req{path: "/oauth2/introspect", header: basic(rfcID, "wrong"), form: url.Values{"token": {cc}}}, 401, "", map[string]any{"error": "invalid_client"}, "Basic"},
		{"a missing token is invalid_request",
			req{path: "/oauth2/introspect", header: basic(rfcID, rfcSecret), form: url.Values{}}, 400, "", map[string]any{"error": "invalid_request"}, ""},
		{"GET is not allowed",
			req{method: http.MethodGet, path: "/oauth2/introspect?token=x", header: basic(rfcID, rfcSecret)}, 405, "", nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			rp := ts.do(tc.req)
			require.Equal(t, tc.wantStatus, rp.status, string(rp.body))
			if tc.wantBody != "" {
				require.Equal(t, tc.wantBody, string(rp.body))
			}
			if tc.wantFields != nil {
				got := rp.json(t)
				for k, v := range tc.wantFields {
					require.Equal(t, v, got[k], "field %s of %s", k, rp.body)
				}
			}
			if tc.wantHeader != "" {
				require.True(t, strings.HasPrefix(rp.header.Get("WWW-Authenticate"), tc.wantHeader), rp.header.Get("WWW-Authenticate"))
			}
		})
	}

	t.Run("a rotated-out refresh token and an expired access token are inactive", func(t *testing.T) {
		rp := ts.do(req{path: "/oauth2/token", header: basic(rfcID, rfcSecret), form: url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}})
		require.Equal(t, 200, rp.status, string(rp.body))
		require.Equal(t, inactive, string(ts.introspect(rt).body))
		require.Equal(t, true, ts.introspect(cc).json(t)["active"])
		ts.advance(3601 * time.Second)
		require.Equal(t, inactive, string(ts.introspect(cc).body))
	})
}
