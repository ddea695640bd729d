package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauthconf/oauthconf/profile"
)

// jsonType names the JSON type of a decoded value.
func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number:
		if _, err := x.Int64(); err == nil {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// typeMatches reports whether got satisfies want ("string", "integer",
// "number", "string|null", ...). An integer is also a number.
func typeMatches(got, want string) bool {
	for _, w := range strings.Split(want, "|") {
		w = strings.TrimSpace(w)
		if w == got || (w == "number" && got == "integer") {
			return true
		}
	}
	return false
}

// checkShape checks RFC 6749 §5.1's fields and the profile's documented extra
// fields with their JSON types.
func (sc *scenario) checkShape(t *tokenResponse) error {
	gr := sc.t.p.Grants[t.grant]
	want := map[string]string{"access_token": "string", "token_type": "string"}
	if gr != nil && gr.ExpiresIn > 0 {
		want["expires_in"] = "integer"
	}
	if _, ok := t.fields["expires_in"]; ok {
		want["expires_in"] = "integer"
	}
	if _, ok := t.fields["refresh_token"]; ok {
		want["refresh_token"] = "string"
	}
	if gr != nil {
		for k, v := range gr.Fields {
			want[k] = v
		}
	}
	var problems []string
	for _, name := range sortedKeys(want) {
		typ := want[name]
		v, ok := t.fields[name]
		if !ok {
			if typeMatches("null", typ) {
				continue
			}
			problems = append(problems, fmt.Sprintf("%s is missing", name))
			continue
		}
		got := jsonType(v)
		if t.fragment { // RFC 6749 §4.2.2: fragment values are strings
			if typ == "integer" {
				if _, err := strconv.Atoi(v.(string)); err != nil {
					problems = append(problems, fmt.Sprintf("%s=%q is not an integer", name, v))
				}
			}
			continue
		}
		if !typeMatches(got, typ) {
			problems = append(problems, fmt.Sprintf("%s is a JSON %s, want %s", name, got, typ))
		}
	}
	if len(problems) > 0 {
		return failf("token response shape: %s%s", strings.Join(problems, "; "), bodyHint(t.ex))
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

// expiresIn returns the token's expires_in as an integer.
func (t *tokenResponse) expiresIn() (int64, error) {
	switch v := t.fields["expires_in"].(type) {
	case json.Number:
		f, err := v.Float64()
		if err != nil {
			return 0, failf("expires_in %q is not a number", v)
		}
		return int64(math.Round(f)), nil
	case string:
		if t.fragment {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return 0, failf("expires_in %q is not an integer", v)
			}
			return n, nil
		}
		return 0, failf("expires_in is the JSON string %q, want a number (RFC 6749 §5.1)", v)
	case nil:
		return 0, failf("token response has no expires_in")
	default:
		return 0, failf("expires_in is a JSON %s, want a number", jsonType(v))
	}
}

// checkExpiresIn checks expires_in is the documented lifetime. A server that
// computes it as exp - now may answer up to a few seconds less (Shopware: 599).
func (sc *scenario) checkExpiresIn(t *tokenResponse) error {
	gr := sc.t.p.Grants[t.grant]
	if gr == nil || gr.ExpiresIn == 0 {
		return errSkip("profile %s documents no expires_in for the %s grant", sc.t.p.Name, t.grant)
	}
	got, err := t.expiresIn()
	if err != nil {
		return err
	}
	if want := int64(gr.ExpiresIn); got > want || got < want-5 {
		return failf("expires_in is %d, want the documented %d", got, want)
	}
	return nil
}

// parseJWT decodes tok; when the profile names a key credential that has a
// value, the HMAC signature is verified too (RFC 7519 §7.2).
func (sc *scenario) parseJWT(tok string) (jwt.MapClaims, *jwt.Token, error) {
	spec := sc.t.p.JWT
	claims := jwt.MapClaims{}
	var key []byte
	if spec != nil && spec.KeyCredential != "" {
		if k, ok := sc.t.creds.Get(spec.KeyCredential); ok && k != "" {
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
func (sc *scenario) checkLifetime(ctx context.Context, t *tokenResponse) error {
	ei, err := t.expiresIn()
	if err != nil {
		return err
	}
	checked := false
	if sc.t.p.TokenFormat == "jwt" {
		claims, _, err := sc.parseJWT(t.str("access_token"))
		if err != nil {
			return err
		}
		exp, okE := numClaim(claims, "exp")
		if !okE {
			return failf("JWT access token has no numeric exp claim")
		}
		if iat, ok := numClaim(claims, "iat"); ok {
			if d := exp - iat; math.Abs(d-float64(ei)) > 2 {
				return failf("JWT exp - iat is %.0f s, but expires_in says %d s", d, ei)
			}
		} else {
			now := sc.serverNow(ctx, t.ex)
			if d := exp - float64(now.Unix()); math.Abs(d-float64(ei)) > 10 {
				return failf("JWT exp is %.0f s from now, but expires_in says %d s", d, ei)
			}
		}
		checked = true
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
		now := sc.serverNow(ctx, t.ex)
		if d := exp - now.Unix(); d < ei-10 || d > ei+10 {
			return failf("expires is %d, that is %d s from the server's now (%s), but expires_in says %d s (epoch milliseconds instead of seconds?)", exp, d, now.UTC().Format(time.RFC3339), ei)
		}
		checked = true
	}
	// An opaque token without an expires field (checked false): its lifetime
	// is not observable in the response; the expired-token scenario checks it.
	_ = checked
	return nil
}

// checkClaims checks the profile's documented claims in the access token.
func (sc *scenario) checkClaims(t *tokenResponse) error {
	claims, _, err := sc.parseJWT(t.str("access_token"))
	if err != nil {
		return err
	}
	spec := sc.t.p.JWT
	if spec == nil {
		return nil
	}
	problems, err := sc.claimProblems("jwt.claims", spec.Claims, claims)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return failf("JWT access token: %s", strings.Join(problems, "; "))
	}
	if rt := t.str("refresh_token"); rt != "" && len(spec.RefreshClaims) > 0 {
		rc, _, err := sc.parseJWT(rt)
		if err != nil {
			return failf("refresh token: %v", err)
		}
		problems, err := sc.claimProblems("jwt.refresh_claims", spec.RefreshClaims, rc)
		if err != nil {
			return err
		}
		if len(problems) > 0 {
			return failf("JWT refresh token: %s", strings.Join(problems, "; "))
		}
	}
	return nil
}

// checkNoStore checks RFC 6749 §5.1's Cache-Control: no-store and, when
// pragma is set, Pragma: no-cache.
func checkNoStore(ex *Exchange, pragma bool) error {
	var problems []string
	if !headerHasToken(ex.RespHeader.Values("Cache-Control"), "no-store") {
		problems = append(problems, fmt.Sprintf("Cache-Control is %q, want no-store", ex.Header("Cache-Control")))
	}
	if pragma && !headerHasToken(ex.RespHeader.Values("Pragma"), "no-cache") {
		problems = append(problems, fmt.Sprintf("Pragma is %q, want no-cache", ex.Header("Pragma")))
	}
	if len(problems) > 0 {
		hint := ""
		if pragma && len(problems) == 1 && strings.HasPrefix(problems[0], "Pragma") {
			hint = " (a server that follows OAuth 2.1 / RFC 9111 and sends no Pragma: set headers.pragma: false in the profile)"
		}
		return failf("token response may be cached (RFC 6749 §5.1): %s%s", strings.Join(problems, "; "), hint)
	}
	return nil
}

// headerHasToken reports whether a comma-separated header holds token (case-insensitive).
func headerHasToken(values []string, token string) bool {
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			name, _, _ := strings.Cut(strings.TrimSpace(part), "=")
			if strings.EqualFold(strings.TrimSpace(name), token) {
				return true
			}
		}
	}
	return false
}

// hasChallenge reports whether ex carries a WWW-Authenticate challenge for
// scheme (case-insensitive, RFC 7235 §2.1).
func hasChallenge(ex *Exchange, scheme string) bool {
	for _, v := range ex.RespHeader.Values("WWW-Authenticate") {
		if sch, _ := challenge(v); strings.EqualFold(sch, scheme) {
			return true
		}
	}
	return false
}

// challenge parses a WWW-Authenticate value into its scheme and parameters.
func challenge(v string) (scheme string, params map[string]string) {
	scheme, rest, _ := strings.Cut(strings.TrimSpace(v), " ")
	params = map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok {
			params[strings.ToLower(strings.TrimSpace(k))] = strings.Trim(strings.TrimSpace(val), `"`)
		}
	}
	return scheme, params
}

// bearerChallengeOf returns the Bearer challenge of a 401, if any.
func bearerChallengeOf(ex *Exchange) (map[string]string, bool) {
	for _, v := range ex.RespHeader.Values("WWW-Authenticate") {
		if s, p := challenge(v); strings.EqualFold(s, "Bearer") {
			return p, true
		}
	}
	return nil, false
}

var _ = http.StatusOK
var _ = profile.LevelMust

// claimProblems compares a token's claims with the profile's expectations
// (field names the profile key, for errors): a missing claim, or one whose
// value differs from the expected value with credentials expanded, is a problem.
func (sc *scenario) claimProblems(field string, want map[string]string, claims map[string]any) ([]string, error) {
	var problems []string
	for _, name := range sortedKeys(want) {
		v, ok := claims[name]
		if !ok {
			problems = append(problems, "claim "+name+" is missing")
			continue
		}
		if want[name] == "" {
			continue
		}
		ew, err := sc.t.creds.Expand(want[name])
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", field, name, err)
		}
		if got := fmt.Sprint(v); got != ew {
			problems = append(problems, fmt.Sprintf("claim %s is %q, want %q", name, got, ew))
		}
	}
	return problems, nil
}
