package steps

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
)

// claimKinds are the JSON types RFC 7519 §4.1 gives the registered claims
// (the JWT access token profile, RFC 9068 §2.2, uses the same ones): what a
// value of another type is told it should have been.
var claimKinds = map[string]string{
	"iss": "a string (RFC 7519 §4.1.1)",
	"sub": "a string (RFC 7519 §4.1.2)",
	"aud": "a string or an array of strings (RFC 7519 §4.1.3)",
	"exp": "a NumericDate, a JSON number (RFC 7519 §2, §4.1.4)",
	"nbf": "a NumericDate, a JSON number (RFC 7519 §2, §4.1.5)",
	"iat": "a NumericDate, a JSON number (RFC 7519 §2, §4.1.6)",
	"jti": "a string (RFC 7519 §4.1.7)",
}

// claimProblem checks one claim's value v: its JSON type when the claim is a
// registered one (RFC 7519 §4.1), then, when want is not "", its value. A
// string matches want when equal; an array (the general form of aud, RFC
// 7519 §4.1.3: "an array of case-sensitive strings") when it contains want;
// a number or boolean when its JSON text equals want. It returns "" when v
// is right, else the problem in words.
func claimProblem(name string, v any, want string) string {
	if kind, ok := claimKinds[name]; ok && !claimHasKind(name, v) {
		return fmt.Sprintf("%s is %s, want %s", name, describeClaim(v), kind)
	}
	if want == "" {
		return ""
	}
	switch x := v.(type) {
	case string:
		if x == want {
			return ""
		}
	case []any:
		if slices.Contains(x, any(want)) {
			return ""
		}
		return fmt.Sprintf("claim %s is %s, want it to contain %q", name, describeClaim(v), want)
	case json.Number:
		if x.String() == want {
			return ""
		}
	case bool:
		if strconv.FormatBool(x) == want {
			return ""
		}
	}
	return fmt.Sprintf("claim %s is %s, want %q", name, describeClaim(v), want)
}

// claimHasKind reports whether v has the JSON type RFC 7519 §4.1 gives the
// registered claim name.
func claimHasKind(name string, v any) bool {
	switch name {
	case "exp", "nbf", "iat":
		switch v.(type) {
		case json.Number, float64:
			return true
		}
		return false
	case "aud":
		if _, ok := v.(string); ok {
			return true
		}
		arr, ok := v.([]any)
		if !ok {
			return false
		}
		for _, e := range arr {
			if _, ok := e.(string); !ok {
				return false
			}
		}
		return true
	}
	_, ok := v.(string)
	return ok
}

// describeClaim names a decoded claim value with its JSON type, for messages: the
// number 5, the string "5", an array ["a", 1], an object, null.
func describeClaim(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("the string %q", x)
	case json.Number:
		return "the number " + x.String()
	case bool:
		return "the boolean " + strconv.FormatBool(x)
	case float64:
		return "the number " + strconv.FormatFloat(x, 'g', -1, 64)
	case []any:
		b, err := json.Marshal(x)
		if err != nil {
			return "an array"
		}
		return "the array " + string(b)
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("a %T", v)
}
