package reference

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestUcommerceConnect(t *testing.T) {
	ts := newTestServer(t)
	cases := []struct {
		description  string
		query        url.Values
		wantStatus   int
		wantLocation string // prefix; "" means no Location header at all
	}{
		{"whitelisted redirect gets a 302 with the code", url.Values{"client_id": {ucID}, "redirect_uri": {ucRedirect}, "response_type": {"code"}}, 302, ucRedirect + "?code="},
		{"second whitelisted URL of the store works", url.Values{"client_id": {ucID}, "redirect_uri": {"http://127.0.0.1:9/callback"}, "response_type": {"code"}}, 302, "http://127.0.0.1:9/callback?code="},
		{"unknown client is refused without redirect", url.Values{"client_id": {"nope"}, "redirect_uri": {ucRedirect}, "response_type": {"code"}}, 400, ""},
		{"another store's URL is refused without redirect", url.Values{"client_id": {ucID}, "redirect_uri": {"https://outlet.example.test/callback"}, "response_type": {"code"}}, 400, ""},
		{"extra path is refused", url.Values{"client_id": {ucID}, "redirect_uri": {ucRedirect + "/extra"}, "response_type": {"code"}}, 400, ""},
		{"extra query is refused", url.Values{"client_id": {ucID}, "redirect_uri": {ucRedirect + "?x=1"}, "response_type": {"code"}}, 400, ""},
		{"trailing slash is refused", url.Values{"client_id": {ucID}, "redirect_uri": {ucRedirect + "/"}, "response_type": {"code"}}, 400, ""},
		{"different case is refused", url.Values{"client_id": {ucID}, "redirect_uri": {"https://client.example.test/Callback"}, "response_type": {"code"}}, 400, ""},
		{"different port is refused", url.Values{"client_id": {ucID}, "redirect_uri": {"https://client.example.test:8443/callback"}, "response_type": {"code"}}, 400, ""},
		{"missing redirect is refused", url.Values{"client_id": {ucID}, "response_type": {"code"}}, 400, ""},
		{"wrong response_type is redirected as an error with state", url.Values{"client_id": {ucID}, "redirect_uri": {ucRedirect}, "response_type": {"token"}, "state": {"abc"}}, 302, ucRedirect + "?error=unsupported_response_type"},
		{"unknown scope is redirected as invalid_scope", url.Values{"client_id": {ucID}, "redirect_uri": {ucRedirect}, "response_type": {"code"}, "scope": {"everything"}}, 302, ucRedirect + "?error=invalid_scope"},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			rp := ts.do(req{method: http.MethodGet, path: "/api/v1/oauth/connect?" + tc.query.Encode()})
			require.Equal(t, tc.wantStatus, rp.status, string(rp.body))
			loc := rp.header.Get("Location")
			if tc.wantLocation == "" {
				require.Empty(t, loc)
				require.Contains(t, rp.json(t), "errors")
				return
			}
			require.True(t, strings.HasPrefix(loc, tc.wantLocation), "Location %q", loc)
			if st := tc.query.Get("state"); st != "" {
				require.Contains(t, loc, "state="+st)
			}
		})
	}
}

func TestUcommerceCodeIsPercentEncoded(t *testing.T) {
	ts := newTestServer(t)
	for i := 0; i < 20; i++ {
		raw, _ := ts.ucConnect(ucID, ucRedirect)
		require.NotContains(t, raw, "+")
		require.NotContains(t, raw, "/")
		require.NotContains(t, raw, "=")
		require.Contains(t, raw, "%2B")
		require.Contains(t, raw, "%2F")
		require.Contains(t, raw, "%3D")
	}
}

func TestUcommerceExchange(t *testing.T) {
	type prep struct {
		code   string
		header map[string]string
		form   url.Values
	}
	cases := []struct {
		description string
		mutate      func(ts *testServer, p *prep)
		wantStatus  int
		wantError   string
	}{
		{"decoded code with Basic auth is exchanged", func(*testServer, *prep) {}, 200, ""},
		{"JSON body is accepted too", func(ts *testServer, p *prep) { p.form = nil }, 200, ""},
		{"still-encoded code is refused", func(ts *testServer, p *prep) { p.form.Set("code", url.QueryEscape(p.code)) }, 400, "invalid_grant"},
		{"form-decoded code (+ became space) is refused", func(ts *testServer, p *prep) { p.form.Set("code", strings.ReplaceAll(p.code, "+", " ")) }, 400, "invalid_grant"},
		{"missing Basic header is invalid_client", func(ts *testServer, p *prep) { p.header = nil }, 401, "invalid_client"},
		{"credentials in the body are not client auth", func(ts *testServer, p *prep) {
			p.header = nil
			p.form.Set("client_id", ucID)
			p.form.Set("client_secret", ucSecret)
		}, 401, "invalid_client"},
		{"wrong secret is invalid_client", func(ts *testServer, p *prep) { p.header = basic(ucID, "wrong") }, 401, "invalid_client"},
		{"another store's credentials are refused", func(ts *testServer, p *prep) { p.header = basic(ucOtherID, ucOtherSec) }, 400, "invalid_grant"},
		{"different redirect_uri is refused", func(ts *testServer, p *prep) { p.form.Set("redirect_uri", "http://127.0.0.1:9/callback") }, 400, "invalid_grant"},
		{"missing redirect_uri is refused", func(ts *testServer, p *prep) { p.form.Del("redirect_uri") }, 400, "invalid_grant"},
		{"missing code is invalid_request", func(ts *testServer, p *prep) { p.form.Del("code") }, 400, "invalid_request"},
		{"unknown grant type", func(ts *testServer, p *prep) { p.form.Set("grant_type", "client_credentials") }, 400, "unsupported_grant_type"},
		{"code older than a minute is refused", func(ts *testServer, p *prep) { ts.advance(61 * time.Second) }, 400, "invalid_grant"},
		{"code 59 seconds old still works", func(ts *testServer, p *prep) { ts.advance(59 * time.Second) }, 200, ""},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			ts := newTestServer(t)
			p := &prep{code: ts.ucCode(), header: basic(ucID, ucSecret)}
			p.form = url.Values{"grant_type": {"authorization_code"}, "code": {p.code}, "redirect_uri": {ucRedirect}}
			tc.mutate(ts, p)
			r := req{path: "/api/v1/oauth/token", header: p.header, form: p.form}
			if p.form == nil {
				r.json = map[string]string{"grant_type": "authorization_code", "code": p.code, "redirect_uri": ucRedirect}
			}
			rp := ts.do(r)
			require.Equal(t, tc.wantStatus, rp.status, string(rp.body))
			body := rp.json(t)
			if tc.wantError != "" {
				errs := body["errors"].([]any)
				require.Equal(t, tc.wantError, errs[0].(map[string]any)["error"])
				require.Contains(t, errs[0], "error-description")
				if tc.wantStatus == 401 {
					require.Equal(t, `Basic realm="ucommerce"`, rp.header.Get("WWW-Authenticate"))
				}
				return
			}
			require.Equal(t, "bearer", body["token_type"])
			require.EqualValues(t, 300, body["expires_in"])
			require.Equal(t, ucRedirect, body["redirect_uri"])
			require.Equal(t, "no-store", rp.header.Get("Cache-Control"))
			require.Equal(t, "no-cache", rp.header.Get("Pragma"))
			ac := jwtClaims(t, body["access_token"].(string))
			require.Equal(t, "ClientUser", ac["role"])
			require.Equal(t, ucID, ac["clientId"])
			for _, k := range []string{"userId", "sessionId", "nbf", "exp", "iat"} {
				require.Contains(t, ac, k)
			}
			require.EqualValues(t, 300, ac["exp"].(float64)-ac["iat"].(float64))
			rc := jwtClaims(t, body["refresh_token"].(string))
			require.Equal(t, "RefreshToken", rc["role"])
			require.Contains(t, rc, "consentId")
		})
	}
}

func TestUcommerceRefreshRotates(t *testing.T) {
	ts := newTestServer(t)
	first := ts.ucExchange(ts.ucCode()).json(t)
	refresh := func(rt string, hdr map[string]string) reply {
		return ts.do(req{path: "/api/v1/oauth/token", header: hdr, form: url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}})
	}
	rp := refresh(first["refresh_token"].(string), basic(ucID, ucSecret))
	require.Equal(t, 200, rp.status, string(rp.body))
	second := rp.json(t)
	require.Nil(t, second["redirect_uri"], "redirect_uri is null on refresh")
	require.Contains(t, second, "redirect_uri")
	require.NotEqual(t, first["refresh_token"], second["refresh_token"])

	rp = refresh(first["refresh_token"].(string), basic(ucID, ucSecret))
	require.Equal(t, 400, rp.status, "the rotated-out refresh token must stop working: %s", rp.body)

	rp = refresh(second["refresh_token"].(string), basic(ucOtherID, ucOtherSec))
	require.Equal(t, 400, rp.status, "another store may not use the refresh token: %s", rp.body)

	rp = refresh(second["access_token"].(string), basic(ucID, ucSecret))
	require.Equal(t, 400, rp.status, "an access token is not a refresh token: %s", rp.body)

	rp = refresh(second["refresh_token"].(string), basic(ucID, ucSecret))
	require.Equal(t, 200, rp.status, string(rp.body))
}

func TestUcommerceProtectedResource(t *testing.T) {
	ts := newTestServer(t)
	tok := ts.ucExchange(ts.ucCode()).json(t)
	access, refresh := tok["access_token"].(string), tok["refresh_token"].(string)
	cases := []struct {
		description string
		header      map[string]string
		advance     time.Duration
		want        int
	}{
		{"valid bearer token", bearer(access), 0, 200},
		{"lower-case scheme is accepted", map[string]string{"Authorization": "bearer " + access}, 0, 200},
		{"missing token", nil, 0, 401},
		{"malformed token", bearer("not-a-jwt"), 0, 401},
		{"tampered signature", bearer(access[:len(access)-4] + "AAAA"), 0, 401},
		{"refresh token used as access token", bearer(refresh), 0, 401},
		{"expired token", bearer(access), 301 * time.Second, 401},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			if tc.advance > 0 {
				ts.advance(tc.advance)
			}
			rp := ts.do(req{method: http.MethodGet, path: "/api/v1/price-groups", header: tc.header})
			require.Equal(t, tc.want, rp.status, string(rp.body))
			if tc.want == 401 {
				require.True(t, strings.HasPrefix(rp.header.Get("WWW-Authenticate"), "Bearer"))
				require.Contains(t, rp.json(t), "errors")
			}
		})
	}
}

// TestUcommerceRefreshIgnoresScope: Ucommerce's refresh request documents no
// scope (docs/vendors.md §1); one sent anyway is ignored, not refused.
func TestUcommerceRefreshIgnoresScope(t *testing.T) {
	ts := newTestServer(t)
	rp := ts.ucExchange(ts.ucCode())
	require.Equal(t, 200, rp.status, string(rp.body))
	rt := rp.json(t)["refresh_token"].(string)
	rp = ts.do(req{path: "/api/v1/oauth/token", header: basic(ucID, ucSecret), form: url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {rt}, "scope": {"transactions:custom:price"},
	}})
	require.Equal(t, 200, rp.status, string(rp.body))
}
