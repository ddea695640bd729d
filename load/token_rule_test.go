package load

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/oauthconf/oauthconf/profile"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// TestTokenResponseRuleAgreesWithVerify runs the table verify is also
// tested against (profile/testdata/token_responses.json) through load's
// validate, fast path and fallback alike: load and verify agree on what a
// valid token response is.
func TestTokenResponseRuleAgreesWithVerify(t *testing.T) {
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
			why := validate(p, ClientCredentials, stepToken, &vegeta.Result{Code: 200, Body: []byte(tc.Body)})
			if valid := why == ""; valid != tc.Valid {
				t.Errorf("load: valid = %v (%s), want %v for %s", valid, why, tc.Valid, tc.Body)
			}
		})
	}
}
