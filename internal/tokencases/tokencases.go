// Package tokencases is the one table of token responses (RFC 6749 §5.1:
// access_token and token_type present, token_type as the profile documents
// it) that every decoder of a token response is tested against: profile's
// shared rule, verify's (steps) and load's. Each side's test calls Run with
// its own judge, so the three agree on what a valid token response is.
//
// Only tests import it.
package tokencases

import (
	_ "embed"
	"encoding/json"
	"testing"
)

//go:embed token_responses.json
var table string

// Case is one row of token_responses.json.
type Case struct {
	Description string `json:"description"`
	Literal     string `json:"literal"` // the profile's token_type literal; "" for none
	Body        string `json:"body"`    // the 200 response's body
	Valid       bool   `json:"valid"`
}

// Cases returns the table's rows, in file order.
func Cases() ([]Case, error) {
	var cases []Case
	if err := json.Unmarshal([]byte(table), &cases); err != nil {
		return nil, err
	}
	return cases, nil
}

// Run runs judge on every row as a subtest named by its description; a row
// whose verdict differs from the table's fails, with judge's reason.
func Run(t *testing.T, judge func(c Case) (valid bool, why string)) {
	t.Helper()
	cases, err := Cases()
	if err != nil {
		t.Fatalf("token_responses.json: %v", err)
	}
	for _, tc := range cases {
		t.Run(tc.Description, func(t *testing.T) {
			if valid, why := judge(tc); valid != tc.Valid {
				t.Errorf("valid = %v (%s), want %v for %s", valid, why, tc.Valid, tc.Body)
			}
		})
	}
}
