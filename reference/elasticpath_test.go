package reference

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestElasticPathTokenEndpoint(t *testing.T) {
	cases := []struct {
		description string
		form        url.Values
		wantStatus  int
		wantIdent   string
	}{
		{"client_credentials", url.Values{"grant_type": {"client_credentials"}, "client_id": {epID}, "client_secret": {epSecret}}, 200, "client_credentials"},
		{"implicit with the client id only", url.Values{"grant_type": {"implicit"}, "client_id": {epID}}, 200, "implicit"},
		{"wrong secret", url.Values{"grant_type": {"client_credentials"}, "client_id": {epID}, "client_secret": {"nope"}}, 401, ""},
		{"unknown client on implicit", url.Values{"grant_type": {"implicit"}, "client_id": {"nope"}}, 401, ""},
		{"missing client_secret", url.Values{"grant_type": {"client_credentials"}, "client_id": {epID}}, 400, ""},
		{"refresh is not a grant here", url.Values{"grant_type": {"refresh_token"}, "client_id": {epID}, "refresh_token": {"x"}}, 400, ""},
		{"missing grant_type", url.Values{"client_id": {epID}}, 400, ""},
	}
	ts := newTestServer(t)
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			before := time.Now().Unix()
			rp := ts.do(req{path: "/oauth/access_token", form: tc.form})
			require.Equal(t, tc.wantStatus, rp.status, string(rp.body))
			body := rp.json(t)
			if tc.wantIdent == "" {
				e := body["errors"].([]any)[0].(map[string]any)
				require.Equal(t, http.StatusText(tc.wantStatus), e["title"])
				return
			}
			require.Equal(t, tc.wantIdent, body["identifier"])
			require.Equal(t, "Bearer", body["token_type"])
			require.EqualValues(t, 3600, body["expires_in"])
			require.InDelta(t, before+3600, body["expires"].(float64), 5)
			require.Regexp(t, `^[0-9a-f]{40}$`, body["access_token"])
			require.NotContains(t, body, "refresh_token")
		})
	}
}

func TestElasticPathPermissions(t *testing.T) {
	ts := newTestServer(t)
	cc, implicit := ts.epToken("client_credentials"), ts.epToken("implicit")
	customer := ts.do(req{path: "/v2/customers/tokens", header: bearer(implicit), json: map[string]any{"data": map[string]string{
		"type": "token", "email": "ron@swanson.com", "password": "mysecretpassword", "authentication_mechanism": "password",
	}}})
	require.Equal(t, 200, customer.status, string(customer.body))
	cdata := customer.json(t)["data"].(map[string]any)
	require.Equal(t, "token", cdata["type"])
	for _, k := range []string{"id", "customer_id", "token", "expires"} {
		require.Contains(t, cdata, k)
	}
	account := ts.do(req{path: "/v2/account-members/tokens", header: bearer(implicit), json: map[string]any{"data": map[string]string{
		"type": "account_management_authentication_token", "authentication_mechanism": "password",
		"password_profile_id": "7e5b3b54-1f1d-4c39-9f27-6a4a1f2c3d01", "username": "leslie.knope@example.test", "password": "pawnee-parks",
	}}})
	require.Equal(t, 201, account.status, string(account.body))
	adata := account.json(t)["data"].([]any)[0].(map[string]any)
	_, err := time.Parse(time.RFC3339, adata["expires"].(string))
	require.NoError(t, err, "account token expires is an ISO string")

	customerTok, accountTok := cdata["token"].(string), adata["token"].(string)
	cases := []struct {
		description string
		method      string
		path        string
		header      map[string]string
		want        int
	}{
		{"implicit token reads the catalogue", "GET", "/catalog/products", bearer(implicit), 200},
		{"client_credentials token reads the catalogue", "GET", "/catalog/products", bearer(cc), 200},
		{"implicit token may not write", "POST", "/v2/products", bearer(implicit), 403},
		{"client_credentials token may write", "POST", "/v2/products", bearer(cc), 201},
		{"implicit token alone may not read orders", "GET", "/v2/orders", bearer(implicit), 403},
		{"implicit + customer token reads orders", "GET", "/v2/orders", map[string]string{"Authorization": "Bearer " + implicit, "X-Moltin-Customer-Token": customerTok}, 200},
		{"implicit + account token reads orders", "GET", "/v2/orders", map[string]string{"Authorization": "Bearer " + implicit, "EP-Account-Management-Authentication-Token": accountTok}, 200},
		{"customer token in the account header is refused", "GET", "/v2/orders", map[string]string{"Authorization": "Bearer " + implicit, "EP-Account-Management-Authentication-Token": customerTok}, 401},
		{"forged customer token is refused", "GET", "/v2/orders", map[string]string{"Authorization": "Bearer " + implicit, "X-Moltin-Customer-Token": customerTok + "x"}, 401},
		{"client_credentials token reads orders", "GET", "/v2/orders", bearer(cc), 200},
		{"no token", "GET", "/catalog/products", nil, 401},
		{"unknown token", "GET", "/catalog/products", bearer("0123456789012345678901234567890123456789"), 401},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			rp := ts.do(req{method: tc.method, path: tc.path, header: tc.header, raw: "{}"})
			require.Equal(t, tc.want, rp.status, string(rp.body))
			if tc.want >= 400 {
				e := rp.json(t)["errors"].([]any)[0].(map[string]any)
				require.EqualValues(t, tc.want, e["status"])
			}
		})
	}
	t.Run("wrong customer password is refused", func(t *testing.T) {
		rp := ts.do(req{path: "/v2/customers/tokens", header: bearer(implicit), json: map[string]any{"data": map[string]string{
			"type": "token", "email": "ron@swanson.com", "password": "nope", "authentication_mechanism": "password",
		}}})
		require.Equal(t, 401, rp.status, string(rp.body))
	})
	t.Run("customer tokens need a bearer token", func(t *testing.T) {
		rp := ts.do(req{path: "/v2/customers/tokens", json: map[string]any{"data": map[string]string{"type": "token"}}})
		require.Equal(t, 401, rp.status, string(rp.body))
	})
	t.Run("tokens expire after an hour", func(t *testing.T) {
		ts.advance(3601 * time.Second)
		rp := ts.do(req{method: "GET", path: "/catalog/products", header: bearer(cc)})
		require.Equal(t, 401, rp.status, string(rp.body))
	})
}
