package reference

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMethodNotAllowedSpeaksTheDialect checks every route's 405: the Allow
// header (RFC 9110 §15.5.6) and a body in the dialect's own error format.
func TestMethodNotAllowedSpeaksTheDialect(t *testing.T) {
	ts := newTestServer(t)
	epTok := ts.epToken("client_credentials")
	// Each format check returns the error entry's fields a client reads.
	shopware := func(t *testing.T, body map[string]any) {
		e := firstError(t, body)
		require.Equal(t, "0", e["code"])
		require.Equal(t, "405", e["status"], "Shopware writes the status as a string")
		require.Equal(t, "Method Not Allowed", e["title"])
	}
	elasticPathAPI := func(t *testing.T, body map[string]any) {
		e := firstError(t, body)
		require.Equal(t, float64(405), e["status"], "API calls write the status as a number")
		require.Equal(t, "Method Not Allowed", e["title"])
	}
	elasticPathToken := func(t *testing.T, body map[string]any) {
		e := firstError(t, body)
		require.Equal(t, "405", e["status"], "the token endpoint writes the status as a string")
		require.Equal(t, "Method Not Allowed", e["title"])
	}
	ucommerce := func(t *testing.T, body map[string]any) {
		e := firstError(t, body)
		require.Equal(t, "invalid_request", e["error"])
		require.NotEmpty(t, e["error-description"])
	}
	rfc := func(t *testing.T, body map[string]any) {
		require.Equal(t, "invalid_request", body["error"])
		require.NotEmpty(t, body["error_description"])
	}
	cases := []struct {
		description string
		method      string
		path        string
		header      map[string]string
		allow       string
		format      func(t *testing.T, body map[string]any)
	}{
		{"Shopware token endpoint", http.MethodGet, "/api/oauth/token", nil, "POST", shopware},
		{"Shopware version", http.MethodPost, "/api/_info/version", nil, "GET", shopware},
		{"Elastic Path token endpoint", http.MethodGet, "/oauth/access_token", nil, "POST", elasticPathToken},
		{"Elastic Path customer tokens", http.MethodGet, "/v2/customers/tokens", nil, "POST", elasticPathAPI},
		{"Elastic Path account-member tokens", http.MethodPut, "/v2/account-members/tokens", nil, "POST", elasticPathAPI},
		{"Elastic Path catalog", http.MethodPost, "/catalog/products", nil, "GET", elasticPathAPI},
		{"Elastic Path products", http.MethodDelete, "/v2/products", bearer(epTok), "GET, POST", elasticPathAPI},
		{"Elastic Path orders", http.MethodPost, "/v2/orders", nil, "GET", elasticPathAPI},
		{"Ucommerce token endpoint", http.MethodGet, "/api/v1/oauth/token", nil, "POST", ucommerce},
		{"Ucommerce connect", http.MethodPost, "/api/v1/oauth/connect", nil, "GET", ucommerce},
		{"Ucommerce price groups", http.MethodPost, "/api/v1/price-groups", nil, "GET", ucommerce},
		{"RFC 6749 token endpoint", http.MethodGet, "/oauth2/token", nil, "POST", rfc},
		{"RFC 6749 authorization endpoint", http.MethodDelete, "/oauth2/authorize", nil, "GET", rfc},
		{"RFC 7009 revocation endpoint", http.MethodGet, "/oauth2/revoke", nil, "POST", rfc},
		{"RFC 7662 introspection endpoint", http.MethodGet, "/oauth2/introspect", nil, "POST", rfc},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			rp := ts.do(req{method: tc.method, path: tc.path, header: tc.header})
			require.Equal(t, http.StatusMethodNotAllowed, rp.status, string(rp.body))
			require.Contains(t, rp.header.Get("Allow"), tc.allow, "Allow lists the methods the route takes")
			require.Contains(t, rp.header.Get("Content-Type"), "application/json")
			tc.format(t, rp.json(t))
		})
	}
}

// firstError returns the first entry of a {"errors":[...]} body.
func firstError(t *testing.T, body map[string]any) map[string]any {
	t.Helper()
	errs, ok := body["errors"].([]any)
	require.True(t, ok && len(errs) > 0, "want an errors array, got %v", body)
	e, ok := errs[0].(map[string]any)
	require.True(t, ok, "want an error object, got %v", errs[0])
	return e
}
