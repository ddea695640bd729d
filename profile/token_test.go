package profile

import (
	"encoding/json"
	"os"
	"testing"
)

// TokenResponseCase is a row of testdata/token_responses.json: the table
// that verify (steps) and load are both tested against, so that they agree
// on what a valid token response is.
type tokenResponseCase struct {
	Description string `json:"description"`
	Literal     string `json:"literal"`
	Body        string `json:"body"`
	Valid       bool   `json:"valid"`
}

// TestTokenResponseProblem judges the table's bodies with encoding/json and
// the shared rule; steps and load test their own decoders on the same table.
func TestTokenResponseProblem(t *testing.T) {
	raw, err := os.ReadFile("testdata/token_responses.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []tokenResponseCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	field := func(m map[string]any, name string) TokenField {
		v, ok := m[name]
		s, isString := v.(string)
		return TokenField{Present: ok, IsString: isString, Value: s, JSONType: "other"}
	}
	for _, tc := range cases {
		t.Run(tc.Description, func(t *testing.T) {
			p := &Profile{Name: "x", TokenType: tc.Literal}
			var m map[string]any
			valid := json.Unmarshal([]byte(tc.Body), &m) == nil && m != nil &&
				p.TokenResponseProblem(field(m, "access_token"), field(m, "token_type")) == ""
			if valid != tc.Valid {
				t.Errorf("valid = %v, want %v for %s", valid, tc.Valid, tc.Body)
			}
		})
	}
}
