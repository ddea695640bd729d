package profile

import (
	"strings"
	"testing"
)

// validBase is a profile every rule accepts; each case appends to it, a
// grant or a top-level key (its last line is line 7, so an appended key
// starts on line 8).
const validBase = `name: x
token: {path: /t, client_auth: basic}
credentials:
  client_id: {}
  client_secret: {secret: true}
grants:
  client_credentials: {}
`

func TestParseValidatesErrorsAndContradictions(t *testing.T) {
	tests := []struct {
		description string
		yaml        string
		want        string // a substring of the error, "" for none
	}{
		{"the base profile is valid", validBase, ""},
		{"a misspelled error code in errors.status is named with its line",
			validBase + "errors:\n  status:\n    invalid_grnt: [400]\n", `line 10: errors.status.invalid_grnt: "invalid_grnt" is not an RFC error code`},
		{"a 200 in errors.status is not a refusal",
			validBase + "errors:\n  status:\n    invalid_grant: [400, 200]\n", "line 10: errors.status.invalid_grant: 200 is not a 4xx status"},
		{"a documented 501 is refused: a 5xx is never a correct refusal",
			validBase + "errors:\n  status:\n    invalid_grant: [501]\n", "line 10: errors.status.invalid_grant: 501 is a server error: a 5xx is never a correct refusal"},
		{"server_error is not a refusal code",
			validBase + "errors:\n  status:\n    server_error: [400]\n", "line 10: errors.status.server_error: \"server_error\" is the server's own failure"},
		{"an empty status list is refused",
			validBase + "errors:\n  status:\n    invalid_grant: []\n", "line 10: errors.status.invalid_grant: an empty list"},
		{"RFC 6750 and RFC 7009 codes are known",
			validBase + "errors:\n  status:\n    invalid_token: [401]\n    insufficient_scope: [403]\n    unsupported_token_type: [400]\n", ""},
		{"a misspelled key of errors.codes is named with its line",
			validBase + "errors:\n  codes:\n    invalid_credentials: \"6\"\n", `line 10: errors.codes.invalid_credentials: "invalid_credentials" is not an RFC error code`},
		{"errors.codes with the elasticpath format would be ignored",
			validBase + "errors:\n  format: elasticpath\n  codes:\n    invalid_grant: \"x\"\n", "line 10: errors.codes: the elasticpath format has no error code"},
		{"errors.titles outside the elasticpath format would be ignored",
			validBase + "errors:\n  titles:\n    400: Bad Request\n", "line 9: errors.titles: only the elasticpath format"},
		{"a 5xx title is refused",
			validBase + "errors:\n  format: elasticpath\n  titles:\n    500: Oops\n", "line 11: errors.titles.500: 500 is a server error"},
		{"rotation on a grant other than refresh_token is named",
			validBase + "  password: {rotation: true}\n", "grants.password.rotation: rotation is a property of the refresh_token grant"},
		{"a refresh_token grant with no grant that issues refresh tokens",
			validBase + "  refresh_token: {rotation: true}\n", "line 8: grants.refresh_token: no grant issues refresh tokens"},
		{"a refresh_token grant after a password grant that forbids refresh tokens",
			validBase + "  password: {refresh_token: forbidden}\n  refresh_token: {}\n", "line 9: grants.refresh_token: no grant issues refresh tokens"},
		{"a refresh_token grant after a password grant is consistent",
			validBase + "  password: {refresh_token: required}\n  refresh_token: {rotation: true}\n", ""},
		{"basic client authentication without a client_secret credential",
			"name: x\ntoken: {path: /t, client_auth: basic}\ngrants:\n  client_credentials: {}\ncredentials:\n  client_id: {}\n", "line 2: token.client_auth: basic sends the client secret, but credentials declares no client_secret"},
		{"a grant's body client authentication without a client_secret credential",
			"name: x\ntoken: {path: /t, client_auth: none}\ngrants:\n  password:\n    client_auth: body\ncredentials:\n  client_id: {}\n", "line 5: grants.password.client_auth: body sends the client secret"},
		{"public clients need no client_secret",
			"name: x\ntoken: {path: /t, client_auth: none}\ngrants:\n  client_credentials: {}\ncredentials:\n  client_id: {}\n", ""},
		{"pkce required with no authorization_code grant",
			validBase + "authorize: {path: /a, pkce: required}\n", "line 8: authorize.pkce: required, but grants has no authorization_code"},
		{"a jwt section with opaque tokens would be ignored",
			validBase + "token_format: opaque\njwt: {claims: {exp: \"\"}}\n", "line 9: jwt: set, but token_format is not jwt"},
		{"a jwt key credential that is not declared",
			validBase + "token_format: jwt\njwt:\n  key_credential: signing_key\n", "line 10: jwt.key_credential: \"signing_key\" names no credential"},
		{"a jwt claim naming an undeclared credential",
			validBase + "token_format: jwt\njwt:\n  claims: {aud: \"${audience}\"}\n", "line 10: jwt.claims: ${audience} names no credential"},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml), "test.yaml")
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Parse: %v, want no error", err)
			case tc.want != "" && err == nil:
				t.Fatalf("Parse accepted it, want an error with %q", tc.want)
			case tc.want != "" && !strings.Contains(err.Error(), tc.want):
				t.Fatalf("Parse: %v\nwant an error with %q", err, tc.want)
			}
		})
	}
}
