package profile

import (
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBuiltinProfilesParse(t *testing.T) {
	names := Builtin()
	require.Equal(t, []string{"elasticpath", "rfc6749", "shopware", "ucommerce"}, names)
	for _, n := range names {
		t.Run(n, func(t *testing.T) {
			p, err := Load(n)
			require.NoError(t, err)
			require.Equal(t, n, p.Name)
			require.Equal(t, "builtin:"+n, p.Source())
		})
	}
}

func TestParseRejectsBadProfiles(t *testing.T) {
	cases := []struct {
		description string
		yaml        string
		wantErr     string
	}{
		{"unknown key is named with its line", "name: x\ntoken: {path: /t}\ngrants: {client_credentials: {}}\ntypo_key: 1\n", "line 4: field typo_key not found"},
		{"missing name", "token: {path: /t}\ngrants: {client_credentials: {}}\n", "name: required"},
		{"relative token path", "name: x\ntoken: {path: t}\ngrants: {client_credentials: {}}\n", "token.path"},
		{"bad encoding", "name: x\ntoken: {path: /t, encoding: xml}\ngrants: {client_credentials: {}}\n", `token.encoding: "xml"`},
		{"unknown grant", "name: x\ntoken: {path: /t}\ngrants: {device_code: {}}\n", "grants.device_code: unknown grant"},
		{"undeclared credential reference", "name: x\ntoken: {path: /t}\ngrants: {password: {params: {username: '${user}'}}}\n", "${user} names no credential"},
		{"code grant without authorize endpoint", "name: x\ntoken: {path: /t}\ngrants: {authorization_code: {}}\n", "authorize.path"},
		{"not yaml", "name: [x\n", "profile test.yaml"},
		{"unknown grant endpoint", "name: x\ntoken: {path: /t}\ngrants: {implicit: {endpoint: fragment}}\n", `grants.implicit.endpoint: "fragment"`},
		{"authorize endpoint for a non-implicit grant", "name: x\ntoken: {path: /t}\nauthorize: {path: /a}\ngrants: {password: {endpoint: authorize}}\n", "only the implicit grant"},
		{"authorize endpoint without authorize.path", "name: x\ntoken: {path: /t}\ngrants: {implicit: {endpoint: authorize}}\n", "authorize needs authorize.path"},
		{"bad requirement level", "name: x\ntoken: {path: /t}\ngrants: {client_credentials: {}}\nrequirements: {rfc6749-5.1: sometimes}\n", "requirements.rfc6749-5.1"},
		{"a bad requirement level names the four levels", "name: x\ntoken: {path: /t}\ngrants: {client_credentials: {}}\nrequirements: {rfc6749-5.1: optional}\n", `"optional" is not must, should, may or off`},
		{"bad duration", "name: x\ntoken: {path: /t}\nauthorize: {path: /a, code_ttl: soon}\ngrants: {authorization_code: {}}\n", `"soon" is not a duration`},
		{"misspelled resource name", "name: x\ntoken: {path: /t}\ngrants: {client_credentials: {}}\nresources: {protectd: {path: /r}}\n", "resources.protectd: not a resource the suite uses (protected, catalog_write, orders)"},
		{"bad pkce value", "name: x\ntoken: {path: /t}\nauthorize: {path: /a, pkce: always}\ngrants: {authorization_code: {}}\n", `authorize.pkce: "always"`},
		{"relative introspection path", "name: x\ntoken: {path: /t}\nintrospection: {path: introspect}\ngrants: {client_credentials: {}}\n", "introspection.path"},
		{"an empty file", "", "empty"},
		{"an empty mapped error code", "name: x\ntoken: {path: /t}\nerrors: {codes: {invalid_grant: \"a,\"}}\ngrants: {client_credentials: {}}\n", "errors.codes.invalid_grant"},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml), "test.yaml")
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.wantErr)
		})
	}
}

func TestLoadUnknownNameListsBuiltins(t *testing.T) {
	_, err := Load("no-such-vendor")
	require.ErrorIs(t, err, ErrUnknownProfile)
	require.Contains(t, err.Error(), "shopware")
}

func TestResolveCredentials(t *testing.T) {
	p, err := Load("shopware")
	require.NoError(t, err)
	env := map[string]string{"OAUTHCONF_USERNAME": "admin", "OAUTHCONF_PASSWORD": "pw-from-env"}
	c, err := Resolve(p, map[string]string{"client_id": "SWIA1", "client_secret": "s3cret-value"}, func(k string) string { return env[k] })
	require.NoError(t, err)
	v, _ := c.Get("password")
	require.Equal(t, "pw-from-env", v)
	require.Equal(t, "id SWIA1 secret [REDACTED] pw [REDACTED]", c.Redact("id SWIA1 secret s3cret-value pw pw-from-env"))

	_, err = Resolve(p, nil, func(string) string { return "" })
	require.ErrorContains(t, err, "client_secret (--credential client_secret=… or OAUTHCONF_CLIENT_SECRET)")
}

func TestResolveDefaultsReferringToOtherCredentials(t *testing.T) {
	p, err := Parse([]byte(`name: t
token: {path: /token}
grants: {client_credentials: {}}
credentials:
  client_id: {}
  client_secret: {secret: true}
  other_client_id: {optional: true, default: "${client_id}"}
  other_client_secret: {optional: true, secret: true, default: "${client_secret}"}
  derived_from_absent: {optional: true, default: "${absent_optional}"}
  absent_optional: {optional: true}
  broken: {default: "${nonexistent}"}
`), "t.yaml")
	require.NoError(t, err)
	given := map[string]string{"client_id": "app", "client_secret": "s3cret-value", "broken": "given"}
	c, err := Resolve(p, given, func(string) string { return "" })
	require.NoError(t, err)
	for name, want := range map[string]string{"other_client_id": "app", "other_client_secret": "s3cret-value", "broken": "given"} {
		v, _ := c.Get(name)
		require.Equal(t, want, v, name)
	}
	require.False(t, c.Has("derived_from_absent"), "an optional default naming an absent credential stays unset")
	require.NotContains(t, c.Secrets(), "${client_secret}")
	require.Equal(t, "[REDACTED]", c.Redact("s3cret-value"))

	delete(given, "broken")
	_, err = Resolve(p, given, func(string) string { return "" })
	require.ErrorContains(t, err, `credential broken: default: credential "nonexistent" has no value`)
}

func TestBuiltinProfilesDocumentTheVendors(t *testing.T) {
	cases := []struct {
		description string
		profile     string
		check       func(t *testing.T, p *Profile)
	}{
		{"ucommerce: lowercase bearer, 5-minute tokens, URL-encoded 1-minute codes", "ucommerce", func(t *testing.T, p *Profile) {
			require.Equal(t, "bearer", p.TokenType)
			require.Equal(t, 300, p.Grants[GrantAuthorizationCode].ExpiresIn)
			require.True(t, p.Authorize.CodeEncoded)
			require.Equal(t, "1m0s", p.Authorize.CodeTTL.String())
		}},
		{"shopware: JSON bodies, 10-minute tokens, rotation", "shopware", func(t *testing.T, p *Profile) {
			require.Equal(t, EncodingJSON, p.Token.Encoding)
			require.Equal(t, 600, p.Grants[GrantPassword].ExpiresIn)
			require.True(t, p.Grants[GrantRefreshToken].Rotation)
			require.Equal(t, "administration", p.Grants[GrantPassword].Params["client_id"])
		}},
		{"elasticpath: 1-hour opaque tokens with expires and identifier", "elasticpath", func(t *testing.T, p *Profile) {
			require.Equal(t, "opaque", p.TokenFormat)
			require.Equal(t, 3600, p.Grants[GrantImplicit].ExpiresIn)
			require.Equal(t, "implicit", p.Grants[GrantImplicit].Identifier)
			require.Equal(t, "integer", p.Grants[GrantClientCredentials].Fields["expires"])
		}},
		{"rfc6749: implicit tokens come from the authorization endpoint", "rfc6749", func(t *testing.T, p *Profile) {
			require.Equal(t, "authorize", p.Grants[GrantImplicit].Endpoint)
			require.NotNil(t, p.Revocation)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			p, err := Load(tc.profile)
			require.NoError(t, err)
			tc.check(t, p)
		})
	}
}

// TestRedactHidesWireForms: a secret with special characters is hidden as it
// is sent (form-encoded, RFC 6749 §2.3.1), JSON-escaped and inside the
// client's Basic credentials, not only raw.
func TestRedactHidesWireForms(t *testing.T) {
	c := NewCredentials(map[string]string{"client_id": "app", "client_secret": "s&c/r+t"}, "client_secret")
	cases := []struct {
		description string
		in          string
	}{
		{"raw", "s&c/r+t"},
		{"form-encoded", "client_secret=s%26c%2Fr%2Bt"},
		{"JSON-escaped", `{"echo":"s\u0026c/r+t"}`},
		{"Basic of the encoded pair", "Basic " + base64.StdEncoding.EncodeToString([]byte("app:s%26c%2Fr%2Bt"))},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			got := c.Redact(tc.in)
			require.Contains(t, got, "[REDACTED]")
			require.NotContains(t, got, "c/r+t")
			require.NotContains(t, got, "c%2Fr")
		})
	}
}

// TestRequirementLevelMay: a profile may set a requirement to may (RFC 2119
// MAY: reported, never gating).
func TestRequirementLevelMay(t *testing.T) {
	p, err := Parse([]byte("name: x\ntoken: {path: /t, client_auth: none}\ngrants: {client_credentials: {}}\nrequirements: {rfc7662-2.2-refresh-token: may}\n"), "test.yaml")
	require.NoError(t, err)
	require.Equal(t, LevelMay, p.Requirements["rfc7662-2.2-refresh-token"])
}
