package profile

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEndpointValidation(t *testing.T) {
	const head = "name: x\ngrants: {client_credentials: {}, password: {}}\ncredentials: {client_id: {}, client_secret: {secret: true}}\n"
	cases := []struct {
		description string
		yaml        string
		wantErr     string // "" means valid
	}{
		{"a path is valid", "token: {path: /t}\n", ""},
		{"an absolute token URL on another origin is valid", "token: {path: 'https://as.example.com:8443/t'}\n", ""},
		{"an absolute introspection URL on an admin port is valid", "token: {path: /t}\nintrospection: {path: 'http://127.0.0.1:9001/introspect'}\n", ""},
		{"a relative path is refused", "token: {path: t}\n", `token.path: "t" must start with /`},
		{"another scheme is refused", "token: {path: 'ftp://as.example.com/t'}\n", "token.path"},
		{"userinfo is refused", "token: {path: 'https://u:p@as.example.com/t'}\n", "token.path: the URL must not carry credentials"},
		{"a secret-looking query is refused", "token: {path: /t}\nresources: {protected: {path: 'https://api.example.com/me?api_key=1'}}\n", `resources.protected.path: the query parameter "api_key" looks like a secret`},
		{"a harmless query is valid", "token: {path: 'https://as.example.com/t?api-version=2'}\n", ""},
		{"a fragment is refused", "token: {path: /t}\nrevocation: {path: 'https://as.example.com/r#x'}\n", "revocation.path"},
		{"a jwks_uri path is valid", "token: {path: /t, jwks_uri: /jwks}\n", ""},
		{"a jwks_uri with userinfo is refused", "token: {path: /t, jwks_uri: 'https://u:p@as.example.com/jwks'}\n", "token.jwks_uri"},
		{"a metadata issuer with a query is refused", "token: {path: /t}\nmetadata: {issuer: 'https://as.example.com/?x=1'}\n", "metadata.issuer"},
		{"a metadata issuer with a path is valid", "token: {path: /t}\nmetadata: {issuer: 'https://as.example.com/realms/a'}\n", ""},
		{"pkce_client confidential is valid", "token: {path: /t}\nauthorize: {path: /a, pkce_client: confidential}\n", ""},
		{"pkce_client must be public or confidential", "token: {path: /t}\nauthorize: {path: /a, pkce_client: both}\n", `authorize.pkce_client: "both"`},
		{"introspection.token_grant names a declared grant", "token: {path: /t}\nintrospection: {path: /i, token_grant: password}\n", ""},
		{"introspection.token_grant of an undeclared grant is refused", "token: {path: /t}\nintrospection: {path: /i, token_grant: implicit}\n", `introspection.token_grant: "implicit" is not a grant`},
		{"resources token_grant of an undeclared grant is refused", "token: {path: /t}\nresources: {protected: {path: /r, token_grant: authorization_code}}\n", "resources.protected.token_grant"},
		{"revocation.token_grant is not read, so refused", "token: {path: /t}\nrevocation: {path: /r, token_grant: password}\n", "revocation.token_grant: not read"},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			_, err := Parse([]byte(head+tc.yaml), "test.yaml")
			if tc.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.wantErr)
		})
	}
}

func TestJoinURL(t *testing.T) {
	require.Equal(t, "http://127.0.0.1:8080/oauth2/token", JoinURL("http://127.0.0.1:8080/", "/oauth2/token"))
	require.Equal(t, "https://admin.example.com/i", JoinURL("http://127.0.0.1:8080", "https://admin.example.com/i"))
}

func TestMetadataURLs(t *testing.T) {
	cases := []struct {
		description, issuer string
		want                []string
	}{
		{"an issuer without a path", "https://as.example.com", []string{"https://as.example.com/.well-known/oauth-authorization-server", "https://as.example.com/.well-known/openid-configuration"}},
		{"a trailing slash is no path", "https://as.example.com/", []string{"https://as.example.com/.well-known/oauth-authorization-server", "https://as.example.com/.well-known/openid-configuration"}},
		{"a path goes after the well-known suffix (RFC 8414 §3.1)", "https://as.example.com/tenant/a", []string{"https://as.example.com/.well-known/oauth-authorization-server/tenant/a", "https://as.example.com/tenant/a/.well-known/openid-configuration"}},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			got, err := MetadataURLs(tc.issuer)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
			require.Equal(t, strings.TrimRight(tc.issuer, "/"), IssuerOf(got[0]), "IssuerOf inverts the RFC 8414 URL")
			require.Equal(t, strings.TrimRight(tc.issuer, "/"), IssuerOf(got[1]), "IssuerOf inverts the OpenID URL")
		})
	}
}

func TestFromMetadata(t *testing.T) {
	cases := []struct {
		description string
		m           Metadata
		check       func(t *testing.T, p *Profile, text string)
		wantErr     string
	}{
		{"an introspection endpoint on another origin stays absolute, the others become paths",
			Metadata{Issuer: "https://as.example.com/realms/a", TokenEndpoint: "https://as.example.com/realms/a/token", IntrospectionEndpoint: "https://admin.example.com:9443/introspect",
				ResponseTypesSupported: []string{"code"}, GrantTypesSupported: []string{"client_credentials", "urn:ietf:params:oauth:grant-type:device_code"}, TokenEndpointAuthMethodsSupported: []string{"client_secret_post", "private_key_jwt"}},
			func(t *testing.T, p *Profile, text string) {
				require.Equal(t, "/realms/a/token", p.Token.Path)
				require.Equal(t, "https://admin.example.com:9443/introspect", p.Introspection.Path)
				require.Equal(t, ClientAuthBody, p.Token.ClientAuth)
				require.Equal(t, "https://as.example.com/realms/a", p.Metadata.Issuer)
				require.Contains(t, text, "not checked by oauthconf: urn:ietf:params:oauth:grant-type:device_code")
				require.Nil(t, p.Authorize)
			}, ""},
		{"omitted grant types default to authorization_code and implicit (RFC 8414 §2)",
			Metadata{Issuer: "https://as.example.com", TokenEndpoint: "https://as.example.com/token", AuthorizationEndpoint: "https://as.example.com/authorize",
				ResponseTypesSupported: []string{"code", "token"}, CodeChallengeMethodsSupported: []string{"plain", "S256"}, JWKSURI: "https://keys.example.com/jwks"},
			func(t *testing.T, p *Profile, text string) {
				require.True(t, p.Supports(GrantAuthorizationCode))
				require.True(t, p.Supports(GrantImplicit))
				require.Equal(t, "authorize", p.Grants[GrantImplicit].Endpoint)
				require.Equal(t, PKCESupported, p.Authorize.PKCE)
				require.Equal(t, "https://keys.example.com/jwks", p.Token.JWKSURI)
				require.Equal(t, ClientAuthBasic, p.Token.ClientAuth, "client_secret_basic is the default method")
				require.Contains(t, text, "code_ttl")
			}, ""},
		{"no token endpoint while grants other than implicit are supported",
			Metadata{Issuer: "https://as.example.com", ResponseTypesSupported: []string{"code"}, GrantTypesSupported: []string{"client_credentials"}}, nil,
			"no token_endpoint"},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			data, err := FromMetadata(&tc.m, "https://as.example.com/.well-known/oauth-authorization-server")
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			p, err := Parse(data, "discovered")
			require.NoError(t, err, "%s", data)
			tc.check(t, p, string(data))
		})
	}
}
