package profile

import (
	"encoding/json"
	"testing"

	"github.com/oauthconf/oauthconf/internal/tokencases"
)

// TestTokenResponseProblem judges the shared table's bodies
// (internal/tokencases) with encoding/json and the shared rule; steps and
// load test their own decoders on the same table.
func TestTokenResponseProblem(t *testing.T) {
	field := func(m map[string]any, name string) TokenField {
		v, ok := m[name]
		s, isString := v.(string)
		return TokenField{Present: ok, IsString: isString, Value: s, JSONType: "other"}
	}
	tokencases.Run(t, func(tc tokencases.Case) (bool, string) {
		p := &Profile{Name: "x", TokenType: tc.Literal}
		var m map[string]any
		if err := json.Unmarshal([]byte(tc.Body), &m); err != nil || m == nil {
			return false, "not a JSON object"
		}
		why := p.TokenResponseProblem(field(m, "access_token"), field(m, "token_type"))
		return why == "", why
	})
}
