package profile

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestElasticPathUserTokens(t *testing.T) {
	p, err := Load("elasticpath")
	require.NoError(t, err)
	creds := NewCredentials(map[string]string{"customer_email": "c@shop.test", "customer_password": "pw",
		"password_profile_id": "pp", "account_username": "am"}, "customer_password")
	cases := []struct {
		description string
		kind        string
		override    map[string]string
		wantPath    string
		wantHeader  string
		wantCreds   []string
		wantMissing []string
		wantBody    string
	}{
		{"the customer token logs in with the customer's email and password", UserTokenCustomer, nil,
			"/v2/customers/tokens", "X-Moltin-Customer-Token", []string{"customer_email", "customer_password"}, nil,
			`{"data":{"authentication_mechanism":"password","email":"c@shop.test","password":"pw","type":"token"}}`},
		{"a wrong password replaces the password member only", UserTokenCustomer, map[string]string{"password": "wrong"},
			"/v2/customers/tokens", "X-Moltin-Customer-Token", []string{"customer_email", "customer_password"}, nil,
			`{"data":{"authentication_mechanism":"password","email":"c@shop.test","password":"wrong","type":"token"}}`},
		{"the account-member token names the credentials it lacks", UserTokenAccountMember, nil,
			"/v2/account-members/tokens", "EP-Account-Management-Authentication-Token",
			[]string{"account_password", "account_username", "password_profile_id"}, []string{"account_password"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			ut, _ := p.UserTokens.Kind(tc.kind)
			require.NotNil(t, ut)
			require.Equal(t, tc.wantPath, ut.Path)
			require.Equal(t, tc.wantHeader, ut.Header)
			require.Equal(t, tc.wantCreds, ut.Credentials())
			require.Equal(t, tc.wantMissing, ut.Missing(creds))
			body, err := ut.Body(creds, tc.override)
			if tc.wantBody == "" {
				require.ErrorContains(t, err, `data.password: credential "account_password" has no value`)
				return
			}
			require.NoError(t, err)
			require.JSONEq(t, tc.wantBody, string(body))
		})
	}
	require.Equal(t, "/v2/customers/tokens", p.EndpointURLs()["user_tokens.customer.path"], "user-token paths are endpoints (loopback and URL checks)")
}

func TestProfilesWithoutUserTokensHaveNone(t *testing.T) {
	for _, name := range []string{"rfc6749", "shopware", "ucommerce"} {
		t.Run(name, func(t *testing.T) {
			p, err := Load(name)
			require.NoError(t, err)
			for _, kind := range []string{UserTokenCustomer, UserTokenAccountMember} {
				ut, field := p.UserTokens.Kind(kind)
				require.Nil(t, ut, field)
			}
		})
	}
}

func TestParseRejectsBadUserTokens(t *testing.T) {
	const head = "name: x\ntoken: {path: /t}\ngrants: {implicit: {}}\ncredentials: {email: {}}\n"
	cases := []struct {
		description string
		yaml        string
		wantErr     string
	}{
		{"the old extensions section names its line and the new section", head + "extensions:\n  customer_token_path: /v2/customers/tokens\n",
			"profile test.yaml: line 5: extensions: no longer read; the Elastic Path token paths and headers are the typed user_tokens section now"},
		{"a user token without a path", head + "user_tokens:\n  customer: {header: X-C}\n", "line 6: user_tokens.customer.path: required"},
		{"a reference to an undeclared credential", head + "user_tokens:\n  account_member:\n    path: /a\n    data: {password: \"${pw}\"}\n",
			"line 8: user_tokens.account_member.data: ${pw} names no credential declared under credentials"},
		{"a misspelled key is named with its line", head + "user_tokens:\n  customer: {paht: /c}\n", "line 6: field paht not found"},
		{"an unknown kind is named with its line", head + "user_tokens:\n  guest: {path: /g}\n", "line 6: field guest not found"},
		{"a user-token URL must not carry a secret in its query", head + "user_tokens:\n  customer: {path: \"https://ep.test/t?password=x\"}\n",
			`user_tokens.customer.path: the query parameter "password" looks like a secret`},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml), "test.yaml")
			require.ErrorContains(t, err, tc.wantErr)
		})
	}
}
