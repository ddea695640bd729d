package reference

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"
)

// jwkSet is a JWK Set (RFC 7517 §5) as the tests decode it, independently of
// the server's encoder.
type jwkSet struct {
	Keys []struct {
		Kty, Kid, Alg, Use, Crv, N, E, X, Y string
	} `json:"keys"`
}

func (ts *testServer) jwks() jwkSet {
	ts.t.Helper()
	rp := ts.do(req{method: http.MethodGet, path: "/oauth2/jwks"})
	require.Equal(ts.t, http.StatusOK, rp.status, string(rp.body))
	var s jwkSet
	require.NoError(ts.t, json.Unmarshal(rp.body, &s))
	return s
}

// publicKey returns the key with kid from the set, decoded from its JWK members.
func (s jwkSet) publicKey(t *testing.T, kid string) crypto.PublicKey {
	t.Helper()
	b64 := func(v string) []byte {
		b, err := base64.RawURLEncoding.DecodeString(v)
		require.NoError(t, err)
		return b
	}
	for _, k := range s.Keys {
		if k.Kid != kid {
			continue
		}
		require.Equal(t, "sig", k.Use)
		switch k.Kty {
		case "RSA":
			return &rsa.PublicKey{N: new(big.Int).SetBytes(b64(k.N)), E: int(new(big.Int).SetBytes(b64(k.E)).Int64())}
		case "EC":
			require.Equal(t, "P-256", k.Crv)
			pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, b64(k.X)...), b64(k.Y)...))
			require.NoError(t, err)
			return pub
		case "OKP":
			require.Equal(t, "Ed25519", k.Crv)
			return ed25519.PublicKey(b64(k.X))
		}
		t.Fatalf("unknown kty %q", k.Kty)
	}
	return nil
}

func (s jwkSet) kids() []string {
	var out []string
	for _, k := range s.Keys {
		out = append(out, k.Kid)
	}
	return out
}

// jwsHeaderOf decodes a token's JOSE header.
func jwsHeaderOf(t *testing.T, tok string) map[string]any {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(strings.SplitN(tok, ".", 2)[0])
	require.NoError(t, err)
	var h map[string]any
	require.NoError(t, json.Unmarshal(raw, &h))
	return h
}

func newSigningServer(t *testing.T, alg string, defects ...Defect) *testServer {
	t.Helper()
	return newTestServerWith(t, []Option{WithSigningAlg(alg)}, defects...)
}

// TestSigningAlgs: for each algorithm the access token carries alg and a kid
// that the JWKS publishes, golang-jwt verifies it with the published key
// alone, and the protected resource accepts it.
func TestSigningAlgs(t *testing.T) {
	for _, alg := range SigningAlgs() {
		t.Run(alg+" tokens verify with the published key", func(t *testing.T) {
			t.Parallel()
			ts := newSigningServer(t, alg)
			tok := ts.rfcCC()["access_token"].(string)
			h := jwsHeaderOf(t, tok)
			require.Equal(t, alg, h["alg"])
			kid, _ := h["kid"].(string)
			require.NotEmpty(t, kid)
			set := ts.jwks()
			require.Equal(t, []string{kid}, set.kids())
			require.Equal(t, alg, set.Keys[0].Alg)
			pub := set.publicKey(t, kid)
			parsed, err := jwt.Parse(tok, func(*jwt.Token) (any, error) { return pub, nil }, jwt.WithValidMethods([]string{alg}))
			require.NoError(t, err)
			require.Equal(t, rfcID, parsed.Claims.(jwt.MapClaims)["client_id"])
			require.Equal(t, http.StatusOK, ts.do(req{method: http.MethodGet, path: "/oauth2/resource", header: bearer(tok)}).status)
			intro := ts.introspect(tok).json(t)
			require.Equal(t, true, intro["active"], "introspection verifies the asymmetric signature too")
		})
	}
}

// TestKeyRotation: after a rotation the JWKS lists the new and the previous
// key and tokens of both are accepted; after a second one the first key is
// gone and its tokens are refused.
func TestKeyRotation(t *testing.T) {
	ts := newSigningServer(t, "ES256")
	rotate := func() {
		rp := ts.do(req{path: "/_test/keys/rotate"})
		require.Equal(t, http.StatusOK, rp.status, string(rp.body))
	}
	resource := func(tok string) int {
		return ts.do(req{method: http.MethodGet, path: "/oauth2/resource", header: bearer(tok)}).status
	}
	tok1 := ts.rfcCC()["access_token"].(string)
	kid1 := jwsHeaderOf(t, tok1)["kid"].(string)
	rotate()
	tok2 := ts.rfcCC()["access_token"].(string)
	kid2 := jwsHeaderOf(t, tok2)["kid"].(string)
	require.NotEqual(t, kid1, kid2)
	require.Equal(t, []string{kid2, kid1}, ts.jwks().kids())
	require.Equal(t, http.StatusOK, resource(tok1), "a token of the previous key is still valid")
	require.Equal(t, http.StatusOK, resource(tok2))
	require.NoError(t, ts.RotateSigningKey())
	require.NotContains(t, ts.jwks().kids(), kid1)
	require.Equal(t, http.StatusUnauthorized, resource(tok1), "a token of a dropped key is refused")
	require.Equal(t, http.StatusOK, resource(tok2))
}

// TestSigningModeAbsentByDefault: in the HS256 mode there is no JWKS, no
// rotation hook and no jwks_uri.
func TestSigningModeAbsentByDefault(t *testing.T) {
	ts := newTestServer(t)
	require.Equal(t, http.StatusNotFound, ts.do(req{method: http.MethodGet, path: "/oauth2/jwks"}).status)
	require.Equal(t, http.StatusNotFound, ts.do(req{path: "/_test/keys/rotate"}).status)
	require.NotContains(t, ts.metadata(), "jwks_uri")
	require.Error(t, ts.RotateSigningKey())
	_, err := New(DemoConfig(), WithSigningAlg("HS512"))
	require.ErrorContains(t, err, `signing alg "HS512" is not one of RS256, PS256, ES256, EdDSA`)
}

// TestResourceRefusesForgedAlgs: the resource refuses tokens that are not
// signed by a published key with its algorithm (RFC 8725 §2.1, §3.1).
func TestResourceRefusesForgedAlgs(t *testing.T) {
	for _, alg := range []string{"ES256", "RS256"} {
		ts := newSigningServer(t, alg)
		tok := ts.rfcCC()["access_token"].(string)
		cases := []struct {
			description string
			forged      string
		}{
			{alg + `: "alg":"none" without signature`, forgeNone(tok)},
			{alg + ": HS256 keyed with the public key's PEM", forgeHS256(t, tok, ts.jwks())},
			{alg + ": a changed payload", tamper(tok)},
			{alg + ": an unknown kid", forgeKid(tok, "nope")},
		}
		for _, tc := range cases {
			t.Run(tc.description, func(t *testing.T) {
				rp := ts.do(req{method: http.MethodGet, path: "/oauth2/resource", header: bearer(tc.forged)})
				require.Equal(t, http.StatusUnauthorized, rp.status, string(rp.body))
				require.Contains(t, rp.header.Get("WWW-Authenticate"), `error="invalid_token"`)
			})
		}
	}
}

// forgeNone re-heads tok with "alg":"none" and drops its signature.
func forgeNone(tok string) string {
	parts := strings.Split(tok, ".")
	return base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."
}

// forgeKid keeps tok's signature but names another key.
func forgeKid(tok, kid string) string {
	parts := strings.Split(tok, ".")
	raw, _ := base64.RawURLEncoding.DecodeString(parts[0])
	var h map[string]any
	_ = json.Unmarshal(raw, &h)
	h["kid"] = kid
	b, _ := json.Marshal(h)
	return base64.RawURLEncoding.EncodeToString(b) + "." + parts[1] + "." + parts[2]
}

// tamper changes the payload of tok (a longer lifetime), keeping the signature.
func tamper(tok string) string {
	parts := strings.Split(tok, ".")
	raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var c map[string]any
	_ = json.Unmarshal(raw, &c)
	c["exp"] = c["exp"].(float64) + 3600
	b, _ := json.Marshal(c)
	return parts[0] + "." + base64.RawURLEncoding.EncodeToString(b) + "." + parts[2]
}

// forgeHS256 signs tok's claims with HS256, the HMAC key being the PEM of the
// published public key (the classic alg-confusion attack).
func forgeHS256(t *testing.T, tok string, set jwkSet) string {
	t.Helper()
	kid := jwsHeaderOf(t, tok)["kid"].(string)
	der, err := x509.MarshalPKIXPublicKey(set.publicKey(t, kid))
	require.NoError(t, err)
	key := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	head := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","kid":"` + kid + `","typ":"JWT"}`))
	input := head + "." + strings.Split(tok, ".")[1]
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// The probes of the signing defects (see defectProbes).

func probeKidPublished(t *testing.T, ts *testServer) bool {
	tok := ts.rfcCC()["access_token"].(string)
	kid := jwsHeaderOf(t, tok)["kid"].(string)
	for _, k := range ts.jwks().kids() {
		if k == kid {
			return true
		}
	}
	return false
}

func probeAlgNoneRefused(t *testing.T, ts *testServer) bool {
	tok := ts.rfcCC()["access_token"].(string)
	return ts.do(req{method: http.MethodGet, path: "/oauth2/resource", header: bearer(forgeNone(tok))}).status == http.StatusUnauthorized
}

func probeHS256PublicKeyRefused(t *testing.T, ts *testServer) bool {
	tok := ts.rfcCC()["access_token"].(string)
	forged := forgeHS256(t, tok, ts.jwks())
	return ts.do(req{method: http.MethodGet, path: "/oauth2/resource", header: bearer(forged)}).status == http.StatusUnauthorized
}

// metadata fetches the RFC 8414 metadata.
func (ts *testServer) metadata() map[string]any {
	ts.t.Helper()
	rp := ts.do(req{method: http.MethodGet, path: "/.well-known/oauth-authorization-server"})
	require.Equal(ts.t, http.StatusOK, rp.status, string(rp.body))
	require.Equal(ts.t, "application/json; charset=utf-8", rp.header.Get("Content-Type"))
	return rp.json(ts.t)
}

// TestMetadata: the RFC 6749 dialect's metadata says what it supports, its
// endpoints answer, and the vendor dialects (whose real services publish
// none) and OpenID discovery answer 404.
func TestMetadata(t *testing.T) {
	ts := newSigningServer(t, "EdDSA")
	m := ts.metadata()
	require.Equal(t, ts.URL, m["issuer"])
	require.Equal(t, ts.URL+"/oauth2/authorize", m["authorization_endpoint"])
	require.Equal(t, ts.URL+"/oauth2/token", m["token_endpoint"])
	require.Equal(t, ts.URL+"/oauth2/jwks", m["jwks_uri"])
	require.Equal(t, []any{"authorization_code", "implicit", "password", "client_credentials", "refresh_token"}, m["grant_types_supported"])
	require.Equal(t, []any{"code", "token"}, m["response_types_supported"])
	require.Equal(t, []any{"client_secret_basic", "client_secret_post", "none"}, m["token_endpoint_auth_methods_supported"])
	require.Equal(t, []any{"client_secret_basic", "client_secret_post"}, m["introspection_endpoint_auth_methods_supported"])
	require.Equal(t, []any{"S256"}, m["code_challenge_methods_supported"])
	require.Equal(t, []any{"read", "write"}, m["scopes_supported"])
	require.True(t, probeEndpointsServed(t, ts))
	for _, path := range []string{"/.well-known/openid-configuration", "/.well-known/oauth-authorization-server/api/oauth", "/.well-known/oauth-authorization-server/api/v1/oauth"} {
		require.Equal(t, http.StatusNotFound, ts.do(req{method: http.MethodGet, path: path}).status, path)
	}
}

// TestMetadataFollowsConfig: a configured issuer and a configuration with
// fewer grants change what the metadata says.
func TestMetadataFollowsConfig(t *testing.T) {
	cfg := DemoConfig()
	cfg.RFC6749.Issuer = "https://auth.example.test"
	cfg.RFC6749.Clients = []RFCClient{{ClientID: "m2m", ClientSecret: "m2m-secret-0123", Grants: []string{"client_credentials"}}}
	srv, err := New(cfg, WithPurgeInterval(0))
	require.NoError(t, err)
	defer srv.Close()
	ts := &testServer{Server: srv, URL: newLoopback(t, srv).URL, client: http.DefaultClient, t: t}
	m := ts.metadata()
	require.Equal(t, "https://auth.example.test", m["issuer"])
	require.Equal(t, "https://auth.example.test/oauth2/token", m["token_endpoint"])
	require.Equal(t, []any{"client_credentials"}, m["grant_types_supported"])
	require.Equal(t, []any{}, m["response_types_supported"])
	require.Equal(t, []any{"client_secret_basic", "client_secret_post"}, m["token_endpoint_auth_methods_supported"])
	tok := ts.do(req{path: "/oauth2/token", header: basic("m2m", "m2m-secret-0123"), form: url.Values{"grant_type": {"client_credentials"}}}).json(t)["access_token"].(string)
	require.Equal(t, "https://auth.example.test", jwtClaims(t, tok)["iss"], "the access token's iss is the issuer")

	for _, bad := range []string{"https://auth.example.test/", "https://auth.example.test/tenant", "ftp://x", "https://x?a=b"} {
		cfg.RFC6749.Issuer = bad
		require.ErrorContains(t, cfg.Validate(), "rfc6749.issuer", bad)
	}
}

func probeIssuerIdentical(t *testing.T, ts *testServer) bool {
	return ts.metadata()["issuer"] == ts.URL
}

// probeMetadataRequiredFields: issuer and response_types_supported are
// present (RFC 8414 §2).
func probeMetadataRequiredFields(t *testing.T, ts *testServer) bool {
	m := ts.metadata()
	_, ok := m["response_types_supported"].([]any)
	return ok && m["issuer"] != nil
}

// probeEndpointsServed: no endpoint the metadata advertises answers 404.
func probeEndpointsServed(t *testing.T, ts *testServer) bool {
	m := ts.metadata()
	for _, k := range []string{"authorization_endpoint", "token_endpoint", "revocation_endpoint", "introspection_endpoint", "jwks_uri"} {
		u, ok := m[k].(string)
		if !ok {
			continue
		}
		method := http.MethodPost
		if k == "authorization_endpoint" || k == "jwks_uri" {
			method = http.MethodGet
		}
		if ts.do(req{method: method, path: strings.TrimPrefix(u, ts.URL)}).status == http.StatusNotFound {
			return false
		}
	}
	return true
}
