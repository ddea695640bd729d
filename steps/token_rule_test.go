package steps

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/oauthconf/oauthconf/profile"
)

// TestTokenResponseRuleAgreesWithLoad runs the table load is also tested
// against (profile/testdata/token_responses.json) through verify's decoding
// (parseTokenResponse) and token_type check (the shared
// profile.TokenTypeProblem, before the RFC 6750 Bearer refinement): verify
// and load agree on what a valid token response is.
func TestTokenResponseRuleAgreesWithLoad(t *testing.T) {
	raw, err := os.ReadFile("../profile/testdata/token_responses.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Description, Literal, Body string
		Valid                      bool
	}
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.Description, func(t *testing.T) {
			p := &profile.Profile{Name: "x", TokenType: tc.Literal}
			tok, err := parseTokenResponse(&Exchange{Status: 200, StatusText: "200 OK", RespBody: []byte(tc.Body)}, profile.GrantClientCredentials)
			valid := err == nil && p.TokenTypeProblem(tok.field("token_type")) == ""
			if valid != tc.Valid {
				t.Errorf("verify: valid = %v (%v), want %v for %s", valid, err, tc.Valid, tc.Body)
			}
		})
	}
}
