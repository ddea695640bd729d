package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/oauthconf/oauthconf/profile"
)

// parseJWT decodes tok; when the profile names a key credential that has a
// value, the HMAC signature is verified too (RFC 7519 §7.2).
func (s *scenario) parseJWT(tok string) (jwt.MapClaims, *jwt.Token, error) {
	spec := s.t.p.JWT
	claims := jwt.MapClaims{}
	var key []byte
	if spec != nil && spec.KeyCredential != "" {
		if k, ok := s.t.creds.Get(spec.KeyCredential); ok && k != "" {
			key = []byte(k)
		}
	}
	opts := []jwt.ParserOption{jwt.WithoutClaimsValidation(), jwt.WithJSONNumber()}
	if spec != nil && spec.Alg != "" {
		opts = append(opts, jwt.WithValidMethods([]string{spec.Alg}))
	}
	p := jwt.NewParser(opts...)
	if key == nil {
		tk, _, err := p.ParseUnverified(tok, claims)
		if err != nil {
			return nil, nil, failf("access token is not a JWT: %v", err)
		}
		if spec != nil && spec.Alg != "" && tk.Method.Alg() != spec.Alg {
			return nil, nil, failf("JWT alg is %s, want %s", tk.Method.Alg(), spec.Alg)
		}
		return claims, tk, nil
	}
	tk, err := p.ParseWithClaims(tok, claims, func(t *jwt.Token) (any, error) {
		if _, ok := t.Method.(*jwt.SigningMethodHMAC); !ok {
			return nil, fmt.Errorf("alg %s is not HMAC, but the profile gives an HMAC key", t.Method.Alg())
		}
		return key, nil
	})
	if err != nil {
		return nil, nil, failf("JWT does not verify with the profile's key: %v", err)
	}
	return claims, tk, nil
}

// numClaim returns a numeric date claim (seconds, possibly fractional: Shopware).
func numClaim(c jwt.MapClaims, name string) (float64, bool) {
	switch v := c[name].(type) {
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	case float64:
		return v, true
	}
	return 0, false
}

// checkLifetime checks the token's real lifetime agrees with expires_in: JWT
// exp - iat, or Elastic Path's expires ≈ server now + expires_in.
func (s *scenario) checkLifetime(ctx context.Context, t *tokenResponse) error {
	ei, err := t.expiresIn()
	if err != nil {
		return err
	}
	if s.t.p.TokenFormat == profile.TokenFormatJWT {
		claims, _, err := s.parseJWT(t.str("access_token"))
		if err != nil {
			return err
		}
		exp, okE := numClaim(claims, "exp")
		if v, has := claims["exp"]; has && !okE {
			// The claims scenario names the type error; here the lifetime
			// is not observable, which says nothing of expires_in.
			return control(fmt.Errorf("the JWT's exp is %s, not a NumericDate (RFC 7519 §4.1.4), so its lifetime cannot be read", describeClaim(v)))
		}
		if !okE {
			return failf("JWT access token has no numeric exp claim")
		}
		if iat, ok := numClaim(claims, "iat"); ok {
			if d := exp - iat; math.Abs(d-float64(ei)) > 2 {
				return failf("JWT exp - iat is %.0f s, but expires_in says %d s", d, ei)
			}
		} else {
			now := s.serverNow(ctx, t.ex)
			if d := exp - float64(now.Unix()); math.Abs(d-float64(ei)) > 10 {
				return failf("JWT exp is %.0f s from now, but expires_in says %d s", d, ei)
			}
		}
	}
	if v, ok := t.fields["expires"]; ok {
		n, isNum := v.(json.Number)
		if !isNum {
			return failf("expires is a JSON %s, want integer epoch seconds", jsonType(v))
		}
		exp, err := n.Int64()
		if err != nil {
			return failf("expires %s is not an integer", n)
		}
		now := s.serverNow(ctx, t.ex)
		if d := exp - now.Unix(); d < ei-10 || d > ei+10 {
			return failf("expires is %d, that is %d s from the server's now (%s), but expires_in says %d s (epoch milliseconds instead of seconds?)", exp, d, now.UTC().Format(time.RFC3339), ei)
		}
	}
	// An opaque token without an expires field: its lifetime is not
	// observable in the response; the expired-token scenario checks it.
	return nil
}

// checkClaims checks the profile's documented claims in the access token.
func (s *scenario) checkClaims(t *tokenResponse) error {
	claims, _, err := s.parseJWT(t.str("access_token"))
	if err != nil {
		return err
	}
	spec := s.t.p.JWT
	if spec == nil {
		return nil
	}
	problems, err := s.claimProblems("jwt.claims", spec.Claims, claims)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return failf("JWT access token: %s", strings.Join(problems, "; "))
	}
	if rt := t.str("refresh_token"); rt != "" && len(spec.RefreshClaims) > 0 {
		rc, _, err := s.parseJWT(rt)
		if err != nil {
			return failf("refresh token: %v", err)
		}
		problems, err := s.claimProblems("jwt.refresh_claims", spec.RefreshClaims, rc)
		if err != nil {
			return err
		}
		if len(problems) > 0 {
			return failf("JWT refresh token: %s", strings.Join(problems, "; "))
		}
	}
	return nil
}

// claimProblems compares a token's claims with the profile's expectations
// (field names the profile key, for errors): a missing claim, a registered
// claim of the wrong JSON type (RFC 7519 §4.1), or one whose value does not
// match the expected value with credentials expanded, is a problem.
func (s *scenario) claimProblems(field string, want map[string]string, claims map[string]any) ([]string, error) {
	var problems []string
	for _, name := range slices.Sorted(maps.Keys(want)) {
		v, ok := claims[name]
		if !ok {
			problems = append(problems, "claim "+name+" is missing")
			continue
		}
		ew, err := s.t.creds.Expand(want[name])
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", field, name, err)
		}
		if p := claimProblem(name, v, ew); p != "" {
			problems = append(problems, p)
		}
	}
	return problems, nil
}
