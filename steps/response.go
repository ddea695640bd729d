package steps

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/oauthconf/oauthconf/internal/redact"
	"github.com/oauthconf/oauthconf/profile"
)

// describeJSON names a decoded JSON value's type (jsonType) and value for a
// message.
func describeJSON(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("the string %q", x)
	case nil:
		return "null"
	}
	return fmt.Sprintf("the %s %v", jsonType(v), v)
}

// tokenResponse is a decoded successful token response (RFC 6749 §5.1) or an
// implicit-grant fragment (§4.2.2).
type tokenResponse struct {
	ex       *Exchange
	fields   map[string]any // JSON values (numbers as json.Number); fragment values are strings
	fragment bool
	grant    string
}

func (t *tokenResponse) str(name string) string {
	s, _ := t.fields[name].(string)
	return s
}

// parseTokenResponse checks ex is a successful token response and decodes it.
func parseTokenResponse(ex *Exchange, grant string) (*tokenResponse, error) {
	if ex.Status != http.StatusOK {
		return nil, failf("want 200 with a token, got %s%s", ex.StatusText, bodyHint(ex))
	}
	fields, err := decodeJSONObject(ex.RespBody)
	if err != nil {
		return nil, failf("token response body is not a JSON object: %v%s", err, bodyHint(ex))
	}
	t := &tokenResponse{ex: ex, fields: fields, grant: grant}
	if why := profile.AccessTokenProblem(t.field("access_token")); why != "" {
		return nil, failf("token response: %s%s", why, bodyHint(ex))
	}
	return t, nil
}

// field is a field of the response as the shared validity rule sees it
// (profile.TokenResponseProblem).
func (t *tokenResponse) field(name string) profile.TokenField {
	v, ok := t.fields[name]
	s, isString := v.(string)
	return profile.TokenField{Present: ok, IsString: isString, Value: s, JSONType: jsonType(v)}
}

func decodeJSONObject(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, fmt.Errorf("null")
	}
	if _, err := dec.Token(); err != io.EOF { // RFC 8259 §2: one value, then only whitespace
		return nil, fmt.Errorf("data after the JSON object")
	}
	return m, nil
}

// maxBodyHint bounds how much of a body a failure message quotes.
const maxBodyHint = 200

// bodyHint quotes the start of a response body for a failure message. Secret
// parameters and JSON fields are hidden before the cut (redact.Redactor.Cut),
// which falls on a rune boundary; the scenario's redactor then hides the
// known credentials and tokens in the whole message, a cut one included.
func bodyHint(ex *Exchange) string {
	if ex == nil || len(ex.RespBody) == 0 {
		return ""
	}
	s, cut := redact.New().Cut(string(ex.RespBody), maxBodyHint)
	if cut {
		s += "…"
	}
	return ": " + s
}

// isJSON reports whether a Content-Type is application/json or +json.
func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

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
func (s *scenario) checkShape(t *tokenResponse) error {
	gr := s.t.p.Grants[t.grant]
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
	for _, name := range slices.Sorted(maps.Keys(want)) {
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
func (s *scenario) checkExpiresIn(t *tokenResponse) error {
	gr := s.t.p.Grants[t.grant]
	if gr == nil || gr.ExpiresIn == 0 {
		return errSkip("profile %s documents no expires_in for the %s grant", s.t.p.Name, t.grant)
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

// grantOf returns the grant of the last token request sent, else that of
// the current token.
func (s *scenario) grantOf() string {
	if s.tok.sent != "" {
		return s.tok.sent
	}
	return s.tok.grant
}
