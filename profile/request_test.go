package profile

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

// builderProfile has one grant per client-authentication case: Basic on the
// token endpoint, a grant with none that fixes its client_id (Shopware's
// "administration"), and a body grant that declares a client_secret.
const builderProfile = `
name: builder
token: {path: /token, encoding: form, client_auth: basic}
grants:
  client_credentials: {params: {scope: "${scope}"}}
  password: {client_auth: none, params: {client_id: fixed-app, username: "${username}"}}
  refresh_token: {client_auth: body, params: {client_secret: declared}}
credentials:
  client_id: {}
  client_secret: {secret: true}
  username: {}
  scope: {}
`

func basic(raw string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(raw)) }

func mustParse(t *testing.T, doc string) *Profile {
	t.Helper()
	p, err := Parse([]byte(doc), "test.yaml")
	require.NoError(t, err)
	return p
}

// wantRequest is what a user of the built request would check on the wire.
type wantRequest struct {
	method, path, body, auth, ctype string
}

func checkRequest(t *testing.T, r *TokenRequest, want wantRequest) {
	t.Helper()
	if want.method == "" {
		want.method = http.MethodPost
	}
	require.Equal(t, want.method, r.Method, "method")
	require.Equal(t, want.path, r.Path, "path")
	require.Equal(t, want.body, string(r.Body), "body")
	require.Equal(t, want.auth, r.Header.Get("Authorization"), "Authorization")
	require.Equal(t, want.ctype, r.Header.Get("Content-Type"), "Content-Type")
	require.Equal(t, "application/json", r.Header.Get("Accept"), "Accept")
}

func TestNewTokenRequest(t *testing.T) {
	const form, json = "application/x-www-form-urlencoded", "application/json"
	creds := NewCredentials(map[string]string{"client_id": "id", "client_secret": "secret", "redirect_uri": "https://c.test/cb",
		"username": "u", "password": "pw", "scope": "write"}, "client_secret", "password")
	cases := []struct {
		description string
		profile     string // a built-in profile's name, or a YAML document
		grant       string
		opts        []RequestOption
		want        wantRequest
	}{
		{"ucommerce code exchange uses Basic and a form body", "ucommerce", GrantAuthorizationCode, nil,
			wantRequest{path: "/api/v1/oauth/token", body: "grant_type=authorization_code&redirect_uri=https%3A%2F%2Fc.test%2Fcb", auth: basic("id:secret"), ctype: form}},
		{"shopware client_credentials puts the client in a JSON body", "shopware", GrantClientCredentials, nil,
			wantRequest{path: "/api/oauth/token", body: `{"client_id":"id","client_secret":"secret","grant_type":"client_credentials"}`, ctype: json}},
		{"shopware password grant uses the administration client", "shopware", GrantPassword, nil,
			wantRequest{path: "/api/oauth/token", body: `{"client_id":"administration","grant_type":"password","password":"pw","scope":"write","scopes":"write","username":"u"}`, ctype: json}},
		{"elastic path implicit sends only the client id", "elasticpath", GrantImplicit, nil,
			wantRequest{path: "/oauth/access_token", body: "client_id=id&grant_type=implicit", ctype: form}},
		{"Basic form-encodes id and secret before base64 (RFC 6749 §2.3.1)", builderProfile, GrantClientCredentials,
			[]RequestOption{WithClient("a b", "p:w&x")},
			wantRequest{path: "/token", body: "grant_type=client_credentials&scope=write", auth: basic("a+b:p%3Aw%26x"), ctype: form}},
		{"WithAuth body moves the credentials into the body", builderProfile, GrantClientCredentials,
			[]RequestOption{WithAuth(ClientAuthBody)},
			wantRequest{path: "/token", body: "client_id=id&client_secret=secret&grant_type=client_credentials&scope=write", ctype: form}},
		{"WithAuth none sends the client_id alone", builderProfile, GrantClientCredentials,
			[]RequestOption{WithAuth(ClientAuthNone)},
			wantRequest{path: "/token", body: "client_id=id&grant_type=client_credentials&scope=write", ctype: form}},
		{"another client with an empty secret has no client_secret in a body", builderProfile, GrantClientCredentials,
			[]RequestOption{WithClient("other", ""), WithAuth(ClientAuthBody)},
			wantRequest{path: "/token", body: "client_id=other&grant_type=client_credentials&scope=write", ctype: form}},
		{"a public client sends only its client_id, even where Basic is the rule", builderProfile, GrantClientCredentials,
			[]RequestOption{WithPublicClient("pub")},
			wantRequest{path: "/token", body: "client_id=pub&grant_type=client_credentials&scope=write", ctype: form}},
		{"a grant's fixed client_id stays for the main client", builderProfile, GrantPassword, nil,
			wantRequest{path: "/token", body: "client_id=fixed-app&grant_type=password&username=u", ctype: form}},
		{"another confidential client on a none grant authenticates as the token endpoint takes it", builderProfile, GrantPassword,
			[]RequestOption{WithClient("other", "s2")},
			wantRequest{path: "/token", body: "grant_type=password&username=u", auth: basic("other:s2"), ctype: form}},
		{"another confidential client on a none grant falls back to the body when the endpoint takes none", "shopware", GrantRefreshToken,
			[]RequestOption{WithClient("other", "s2"), WithParam("refresh_token", "rt")},
			wantRequest{path: "/api/oauth/token", body: `{"client_id":"other","client_secret":"s2","grant_type":"refresh_token","refresh_token":"rt"}`, ctype: json}},
		{"another public client replaces a fixed client_id", builderProfile, GrantPassword,
			[]RequestOption{WithPublicClient("pub")},
			wantRequest{path: "/token", body: "client_id=pub&grant_type=password&username=u", ctype: form}},
		{"without client auth a fixed client_id stays and nothing else is sent", builderProfile, GrantPassword,
			[]RequestOption{WithoutClientAuth()},
			wantRequest{path: "/token", body: "client_id=fixed-app&grant_type=password&username=u", ctype: form}},
		{"without client auth there is no Basic header", builderProfile, GrantClientCredentials,
			[]RequestOption{WithoutClientAuth()},
			wantRequest{path: "/token", body: "grant_type=client_credentials&scope=write", ctype: form}},
		{"a declared client_secret is replaced by the client's", builderProfile, GrantRefreshToken, nil,
			wantRequest{path: "/token", body: "client_id=id&client_secret=secret&grant_type=refresh_token", ctype: form}},
		{"WithParam overrides a grant param and adds one", builderProfile, GrantClientCredentials,
			[]RequestOption{WithParam("scope", "admin"), WithParam("extra", "x y")},
			wantRequest{path: "/token", body: "extra=x+y&grant_type=client_credentials&scope=admin", auth: basic("id:secret"), ctype: form}},
		{"WithParam may override what the client authentication placed", builderProfile, GrantRefreshToken,
			[]RequestOption{WithParam("client_id", "forged")},
			wantRequest{path: "/token", body: "client_id=forged&client_secret=secret&grant_type=refresh_token", ctype: form}},
		{"WithParam with an empty value sends it empty", builderProfile, GrantClientCredentials,
			[]RequestOption{WithParam("scope", "")},
			wantRequest{path: "/token", body: "grant_type=client_credentials&scope=", auth: basic("id:secret"), ctype: form}},
		{"WithoutParam removes grant_type", builderProfile, GrantClientCredentials,
			[]RequestOption{WithoutParam("grant_type")},
			wantRequest{path: "/token", body: "scope=write", auth: basic("id:secret"), ctype: form}},
		{"WithoutParam removes a client_secret the body authentication placed", builderProfile, GrantRefreshToken,
			[]RequestOption{WithoutParam("client_secret")},
			wantRequest{path: "/token", body: "client_id=id&grant_type=refresh_token", ctype: form}},
		{"the later of WithParams and WithoutParam wins", builderProfile, GrantClientCredentials,
			[]RequestOption{WithParams(map[string]string{"scope": "a", "x": "1"}), WithoutParam("x")},
			wantRequest{path: "/token", body: "grant_type=client_credentials&scope=a", auth: basic("id:secret"), ctype: form}},
		{"a raw code goes into a form body verbatim", builderProfile, GrantClientCredentials,
			[]RequestOption{WithParam("code", "encoded"), WithRawParam("code", "a+b%2F&c")},
			wantRequest{path: "/token", body: "grant_type=client_credentials&scope=write&code=a+b%2F&c", auth: basic("id:secret"), ctype: form}},
		{"a raw value in a JSON body is an ordinary string", "shopware", GrantClientCredentials,
			[]RequestOption{WithRawParam("code", "a+b")},
			wantRequest{path: "/api/oauth/token", body: `{"client_id":"id","client_secret":"secret","code":"a+b","grant_type":"client_credentials"}`, ctype: json}},
		{"GET sends every parameter in the query and has no body", builderProfile, GrantRefreshToken,
			[]RequestOption{WithMethod(http.MethodGet)},
			wantRequest{method: http.MethodGet, path: "/token?client_id=id&client_secret=secret&grant_type=refresh_token"}},
		{"WithQuery adds to the URL and keeps the body", builderProfile, GrantClientCredentials,
			[]RequestOption{WithoutClientAuth(), WithQuery(url.Values{"client_id": {"id"}, "client_secret": {"secret"}})},
			wantRequest{path: "/token?client_id=id&client_secret=secret", body: "grant_type=client_credentials&scope=write", ctype: form}},
		{"WithPath sends the request elsewhere", builderProfile, GrantClientCredentials,
			[]RequestOption{WithPath("/other")},
			wantRequest{path: "/other", body: "grant_type=client_credentials&scope=write", auth: basic("id:secret"), ctype: form}},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			p, err := Load(tc.profile)
			if err != nil {
				p = mustParse(t, tc.profile)
			}
			r, err := p.NewTokenRequest(tc.grant, creds, tc.opts...)
			require.NoError(t, err)
			checkRequest(t, r, tc.want)
		})
	}
}

func TestNewTokenRequestRecordsTheParamsSent(t *testing.T) {
	p := mustParse(t, builderProfile)
	creds := NewCredentials(map[string]string{"client_id": "id", "client_secret": "secret", "username": "u", "scope": "write"})
	r, err := p.NewTokenRequest(GrantRefreshToken, creds, WithRawParam("code", "a+b"), WithoutParam("grant_type"))
	require.NoError(t, err)
	require.Equal(t, map[string]string{"client_id": "id", "client_secret": "secret", "code": "a+b"}, r.Params)
}

func TestNewTokenRequestErrors(t *testing.T) {
	p := mustParse(t, builderProfile)
	cases := []struct {
		description string
		grant       string
		creds       Credentials
		wantErr     string
	}{
		{"an undeclared grant is named", GrantImplicit, NewCredentials(nil), "profile builder does not support grant implicit"},
		{"an unset credential is named with the param", GrantPassword, NewCredentials(map[string]string{"client_id": "id"}), "grants.password.params.username"},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			_, err := p.NewTokenRequest(tc.grant, tc.creds)
			require.ErrorContains(t, err, tc.wantErr)
		})
	}
}

func TestNewEndpointRequest(t *testing.T) {
	const form = "application/x-www-form-urlencoded"
	basicEndpoint := mustParse(t, builderProfile)
	shopware, err := Load("shopware")
	require.NoError(t, err)
	noneEndpoint := mustParse(t, "name: n\ntoken: {path: /t, encoding: json, client_auth: none}\ngrants: {implicit: {}}\n")
	params := map[string]string{"token": "tok", "token_type_hint": "refresh_token"}
	cases := []struct {
		description string
		profile     *Profile
		opts        []RequestOption
		want        wantRequest
	}{
		{"a confidential client authenticates with Basic as the token endpoint does (RFC 7009 §2.1)", basicEndpoint,
			[]RequestOption{WithClient("id", "secret")},
			wantRequest{path: "/revoke", body: "token=tok&token_type_hint=refresh_token", auth: basic("id:secret"), ctype: form}},
		{"a body-authenticating token endpoint puts the credentials in the form, even when it takes JSON", shopware,
			[]RequestOption{WithClient("id", "secret")},
			wantRequest{path: "/revoke", body: "client_id=id&client_secret=secret&token=tok&token_type_hint=refresh_token", ctype: form}},
		{"a token endpoint that authenticates no client still gets a confidential client's credentials in the body", noneEndpoint,
			[]RequestOption{WithClient("id", "secret")},
			wantRequest{path: "/revoke", body: "client_id=id&client_secret=secret&token=tok&token_type_hint=refresh_token", ctype: form}},
		{"a public client sends only its client_id", basicEndpoint,
			[]RequestOption{WithPublicClient("pub")},
			wantRequest{path: "/revoke", body: "client_id=pub&token=tok&token_type_hint=refresh_token", ctype: form}},
		{"no client option sends no client credentials", basicEndpoint, nil,
			wantRequest{path: "/revoke", body: "token=tok&token_type_hint=refresh_token", ctype: form}},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			r := tc.profile.NewEndpointRequest("/revoke", params, tc.opts...)
			checkRequest(t, r, tc.want)
		})
	}
	require.Equal(t, map[string]string{"token": "tok", "token_type_hint": "refresh_token"}, params, "the caller's params are not changed")
}
