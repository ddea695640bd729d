package load

import (
	"testing"

	"github.com/oauthconf/oauthconf/internal/tokencases"
	"github.com/oauthconf/oauthconf/profile"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// TestTokenResponseRuleAgreesWithVerify runs the table verify is also
// tested against (internal/tokencases) through load's validate, fast path
// and fallback alike: load and verify agree on what a valid token response
// is.
func TestTokenResponseRuleAgreesWithVerify(t *testing.T) {
	tokencases.Run(t, func(tc tokencases.Case) (bool, string) {
		p := &profile.Profile{Name: "x", TokenType: tc.Literal}
		why := validate(p, ClientCredentials, stepToken, &vegeta.Result{Code: 200, Body: []byte(tc.Body)})
		return why == "", "load: " + why
	})
}
