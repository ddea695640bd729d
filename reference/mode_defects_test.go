package reference

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

// probeJWKSPublicOnly: the JWK Set at /oauth2/jwks holds public keys only,
// no private or symmetric member (RFC 7517 §5; RFC 7518 §6.2.2, §6.3.2,
// §6.4; RFC 8037 §2). Defect jwks-private-key.
func probeJWKSPublicOnly(t *testing.T, ts *testServer) bool {
	for _, k := range ts.rawJWKS() {
		for _, m := range []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"} {
			if _, ok := k[m]; ok {
				return false
			}
		}
	}
	return true
}

// rawJWKS returns the keys of the JWK Set at /oauth2/jwks as JSON objects.
func (ts *testServer) rawJWKS() []map[string]any {
	ts.t.Helper()
	rp := ts.do(req{method: http.MethodGet, path: "/oauth2/jwks"})
	require.Equal(ts.t, http.StatusOK, rp.status, string(rp.body))
	keys, ok := rp.json(ts.t)["keys"].([]any)
	require.True(ts.t, ok, "no keys array: %s", rp.body)
	out := make([]map[string]any, 0, len(keys))
	for _, k := range keys {
		out = append(out, k.(map[string]any))
	}
	return out
}

// probePKCERequiredOfConfidential: with RequirePKCE, a confidential
// client's authorization request without a code_challenge is refused
// (RFC 9700 §2.1.1). Defect pkce-required-not-enforced.
func probePKCERequiredOfConfidential(t *testing.T, ts *testServer) bool {
	return authorizeOutcome(t, ts, rfcID, rfcURI) == "invalid_request"
}

// authorizeOutcome sends an authorization request without a code_challenge
// for client and returns "code" when the redirect carries one, else its error.
func authorizeOutcome(t *testing.T, ts *testServer, client, redirect string) string {
	q := url.Values{"client_id": {client}, "redirect_uri": {redirect}, "response_type": {"code"}, "state": {"s1"}}
	rp := ts.do(req{method: http.MethodGet, path: "/oauth2/authorize?" + q.Encode()})
	require.Equal(t, http.StatusFound, rp.status, string(rp.body))
	loc, err := url.Parse(rp.header.Get("Location"))
	require.NoError(t, err)
	if loc.Query().Get("code") != "" {
		return "code"
	}
	return loc.Query().Get("error")
}

// TestJWKSPrivateKey: jwks-private-key publishes, for every signing
// algorithm, the private members of its key type (RFC 7518 §6.2.2, §6.3.2;
// RFC 8037 §2) beside the public ones.
func TestJWKSPrivateKey(t *testing.T) {
	private := map[string][]string{"RS256": {"d", "p", "q"}, "PS256": {"d", "p", "q"}, "ES256": {"d"}, "EdDSA": {"d"}}
	for _, alg := range SigningAlgs() {
		t.Run(alg+" keys carry their private members", func(t *testing.T) {
			t.Parallel()
			keys := newSigningServer(t, alg, JWKSPrivateKey).rawJWKS()
			require.Len(t, keys, 1)
			for _, m := range private[alg] {
				require.NotEmpty(t, keys[0][m], "member %q", m)
			}
			for _, m := range []string{"kid", "kty", "alg"} {
				require.NotEmpty(t, keys[0][m], "the public member %q stays", m)
			}
			for _, m := range []string{"dp", "dq", "qi", "k"} {
				require.NotContains(t, keys[0], m)
			}
		})
	}
}

// TestPKCERequiredNotEnforced: pkce-required-not-enforced issues a
// confidential client a code without a challenge although RequirePKCE is
// set, while a public client still needs one; New refuses the defect
// without RequirePKCE, where it would change nothing.
func TestPKCERequiredNotEnforced(t *testing.T) {
	_, err := New(DemoConfig(), WithDefects(PKCERequiredNotEnforced))
	require.ErrorContains(t, err, "changes nothing without the require-pkce mode")

	cases := []struct {
		description      string
		client, redirect string
		want             string // "code" or the redirect's error
	}{
		{"the confidential client gets a code", rfcID, rfcURI, "code"},
		{"the public client is still refused", rfcPublic, rfcPubURI, "invalid_request"},
	}
	ts := newTestServerConfig(t, modeConfig(PKCERequiredNotEnforced), nil, PKCERequiredNotEnforced)
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			require.Equal(t, tc.want, authorizeOutcome(t, ts, tc.client, tc.redirect))
		})
	}
}
