package load

import (
	"errors"

	"github.com/oauthconf/oauthconf/profile"
)

// errNotFlat means the body is not a flat JSON object of simple values; the
// caller falls back to encoding/json.
var errNotFlat = errors.New("not a flat JSON object")

// errBadJSON means the body is not valid JSON.
var errBadJSON = errors.New("body is not JSON")

// scanFlat reads a flat JSON object (string, number, true, false and null
// values; ASCII strings without escapes) in one pass and returns its
// access_token and token_type fields as the shared validity rule sees them
// (profile.TokenField: there or not, a string or which JSON type). It is strict: anything that
// is not valid JSON is errBadJSON, anything valid but beyond its reach (nested
// values, escapes) is errNotFlat. It exists because validating every response
// with encoding/json is the load harness's largest cost of its own.
func scanFlat(b []byte) (access, tokenType profile.TokenField, err error) {
	var none profile.TokenField
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return none, none, errBadJSON
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return none, none, endOfObject(b, i+1)
	}
	for {
		key, j, err := scanString(b, i)
		if err != nil {
			return none, none, err
		}
		i = skipWS(b, j)
		if i >= len(b) || b[i] != ':' {
			return none, none, errBadJSON
		}
		i = skipWS(b, i+1)
		if i >= len(b) {
			return none, none, errBadJSON
		}
		f := profile.TokenField{Present: true}
		switch c := b[i]; {
		case c == '"':
			f.Value, i, err = scanString(b, i)
			f.IsString, f.JSONType = true, "string"
		case c == '{' || c == '[':
			return none, none, errNotFlat
		case c == 't':
			i, err = scanLiteral(b, i, "true")
			f.JSONType = "boolean"
		case c == 'f':
			i, err = scanLiteral(b, i, "false")
			f.JSONType = "boolean"
		case c == 'n':
			i, err = scanLiteral(b, i, "null")
			f.JSONType = "null"
		default:
			i, err = scanNumber(b, i)
			f.JSONType = "number"
		}
		if err != nil {
			return none, none, err
		}
		switch key {
		case "access_token":
			access = f
		case "token_type":
			tokenType = f
		}
		i = skipWS(b, i)
		if i >= len(b) {
			return none, none, errBadJSON
		}
		if b[i] == '}' {
			return access, tokenType, endOfObject(b, i+1)
		}
		if b[i] != ',' {
			return none, none, errBadJSON
		}
		i = skipWS(b, i+1)
	}
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

func endOfObject(b []byte, i int) error {
	if skipWS(b, i) != len(b) {
		return errBadJSON
	}
	return nil
}

// scanString reads a string without escapes starting at b[i] == '"'.
func scanString(b []byte, i int) (string, int, error) {
	if i >= len(b) || b[i] != '"' {
		return "", i, errBadJSON
	}
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return string(b[i+1 : j]), j + 1, nil
		case c == '\\' || c >= 0x80: // escapes and non-ASCII: encoding/json's rules apply
			return "", j, errNotFlat
		case c < 0x20:
			return "", j, errBadJSON
		}
	}
	return "", len(b), errBadJSON
}

func scanLiteral(b []byte, i int, lit string) (int, error) {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return i, errBadJSON
	}
	return i + len(lit), nil
}

// scanNumber reads a JSON number (RFC 8259 §6).
func scanNumber(b []byte, i int) (int, error) {
	start := i
	if i < len(b) && b[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else if digits() == 0 {
		return start, errBadJSON
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return start, errBadJSON
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return start, errBadJSON
		}
	}
	return i, nil
}
