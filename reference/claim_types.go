package reference

import (
	"encoding/json"
	"fmt"
)

// breakClaimTypes applies the claim-type defects to a token's claims: under
// jwt-exp-string exp becomes a JSON string (RFC 7519 §4.1.4 wants a
// NumericDate, a JSON number), under jwt-aud-number a present aud becomes a
// JSON number (§4.1.3 wants a string or an array of strings). Without either
// defect claims is returned as it is.
func (s *Server) breakClaimTypes(claims any) (any, error) {
	if !s.has(JWTExpString) && !s.has(JWTAudNumber) {
		return claims, nil
	}
	b, err := json.Marshal(claims)
	if err != nil {
		return nil, fmt.Errorf("jwt: encode claims: %w", err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("jwt: decode claims: %w", err)
	}
	if exp, ok := m["exp"]; ok && s.has(JWTExpString) {
		q, _ := json.Marshal(string(exp)) // a string always encodes
		m["exp"] = q
	}
	if _, ok := m["aud"]; ok && s.has(JWTAudNumber) {
		m["aud"] = json.RawMessage("5")
	}
	return m, nil
}
