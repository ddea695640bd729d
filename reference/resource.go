package reference

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"net/http"
	"time"
)

// bearerClaims are the claims a protected resource looks at, across dialects.
type bearerClaims struct {
	Exp      json.Number `json:"exp"`
	Jti      string      `json:"jti"`
	Role     string      `json:"role"`
	Sub      string      `json:"sub"`
	ClientID string      `json:"client_id"`
	UcClient string      `json:"clientId"`
}

// checkJWTBearer authenticates a request to a protected resource with a JWT
// bearer token (RFC 6750 §2.1): signature, expiry against the server's clock,
// revocation, and the dialect's own accept rule.
func (s *Server) checkJWTBearer(r *http.Request, signer tokenVerifier, accept func(*bearerClaims) bool) (*bearerClaims, *oauthError) {
	if s.has(BearerAcceptsMissing) && r.Header.Get("Authorization") == "" {
		return &bearerClaims{}, nil // the defect: no credentials, no check
	}
	tok, e := s.bearerToken(r)
	if e != nil {
		return nil, e
	}
	var c bearerClaims
	if _, h, _, err := splitJWS(tok); err == nil && h.Alg == "none" && s.has(AlgNoneAccepted) {
		signer = unsignedBelieved{} // the defect: an unsigned token is believed (RFC 8725 §2.1)
	}
	if err := signer.verify(tok, &c); err != nil {
		if !s.has(BearerAcceptsForged) {
			return nil, errTokenInvalid("the access token is malformed or its signature is invalid")
		}
		_ = parseUnverified(tok, &c) // the defect: whatever it says is believed
		return &c, nil
	}
	if accept != nil && !accept(&c) {
		return nil, errTokenInvalid("the token is not an access token")
	}
	if s.expired(c.Exp) {
		return nil, errTokenInvalid("the access token expired")
	}
	if c.Jti != "" && s.isRevoked(c.Jti) {
		return nil, errTokenInvalid("the access token was revoked")
	}
	return &c, nil
}

// expired reports whether a JWT exp claim (seconds, possibly fractional) is
// past, unless the bearer-accepts-expired defect is on.
func (s *Server) expired(exp json.Number) bool {
	if s.has(BearerAcceptsExpired) {
		return false
	}
	f, err := exp.Float64()
	if err != nil {
		return true
	}
	sec, frac := math.Modf(f)
	return !s.now().Before(time.Unix(int64(sec), int64(frac*1e9)))
}

// stableUUID derives a UUID-shaped identifier from seed, so that demo users and
// customers keep their ids across restarts.
func stableUUID(seed string) string {
	sum := sha256.Sum256([]byte(seed))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// methodNotAllowed is the RFC 6749 dialect's 405 for a wrong method: the Allow
// header (RFC 9110 §15.5.6) and an RFC 6749 §5.2 error body. The vendor
// dialects answer theirs in their own error formats (swMethodNotAllowed,
// epMethodNotAllowed, ucMethodNotAllowed).
func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	writeJSON(w, http.StatusMethodNotAllowed, rfcError{Error: "invalid_request", Description: "method not allowed; use " + allow})
}

func unixTime(sec int64) time.Time { return time.Unix(sec, 0) }

// unsignedBelieved is the alg-none-accepted defect's verifier: it decodes the
// claims of any compact JWS without checking a signature.
type unsignedBelieved struct{}

func (unsignedBelieved) verify(tok string, v any) error { return decodeClaims(tok, v) }
