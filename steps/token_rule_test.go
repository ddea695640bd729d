package steps

import (
	"fmt"
	"testing"

	"github.com/oauthconf/oauthconf/internal/tokencases"
	"github.com/oauthconf/oauthconf/profile"
)

// TestTokenResponseRuleAgreesWithLoad runs the table load is also tested
// against (internal/tokencases) through verify's decoding
// (parseTokenResponse) and token_type check (the shared
// profile.TokenTypeProblem, before the RFC 6750 Bearer refinement): verify
// and load agree on what a valid token response is.
func TestTokenResponseRuleAgreesWithLoad(t *testing.T) {
	tokencases.Run(t, func(tc tokencases.Case) (bool, string) {
		p := &profile.Profile{Name: "x", TokenType: tc.Literal}
		tok, err := parseTokenResponse(&Exchange{Status: 200, StatusText: "200 OK", RespBody: []byte(tc.Body)}, profile.GrantClientCredentials)
		if err != nil {
			return false, fmt.Sprintf("verify: %v", err)
		}
		why := p.TokenTypeProblem(tok.field("token_type"))
		return why == "", "verify: " + why
	})
}
