package load

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestScanFlatAgreesWithEncodingJSON(t *testing.T) {
	cases := []struct {
		description string
		body        string
		wantErr     error
	}{
		{"token response", `{"access_token":"abc","token_type":"Bearer","expires_in":3600}`, nil},
		{"elastic path shape", `{"expires":1500638876,"identifier":"implicit","expires_in":3600,"access_token":"xa35","token_type":"Bearer"}`, nil},
		{"null and booleans and spaces", " { \"redirect_uri\" : null , \"x\":true,\"y\":false, \"access_token\":\"a\" } \n", nil},
		{"numbers", `{"a":-0.5e+10,"b":0,"c":12.25,"access_token":"t"}`, nil},
		{"empty object", `{}`, nil},
		{"truncated", `{"access_token":"abc","token_ty`, errBadJSON},
		{"trailing garbage", `{"access_token":"abc"}x`, errBadJSON},
		{"missing comma", `{"a":1 "b":2}`, errBadJSON},
		{"bad number", `{"a":01}`, errBadJSON},
		{"bad literal", `{"a":tru}`, errBadJSON},
		{"html", `<html>`, errBadJSON},
		{"empty", ``, errBadJSON},
		{"nested goes to encoding/json", `{"data":{"token":"x"}}`, errNotFlat},
		{"escapes go to encoding/json", `{"access_token":"a\"b"}`, errNotFlat},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			access, ttype, err := scanFlat([]byte(tc.body))
			require.ErrorIs(t, err, tc.wantErr)
			var v struct {
				AccessToken string `json:"access_token"`
				TokenType   string `json:"token_type"`
			}
			jerr := json.Unmarshal([]byte(tc.body), &v)
			if tc.wantErr == nil {
				require.NoError(t, jerr, "encoding/json must accept what scanFlat accepts")
				require.Equal(t, v.AccessToken, access.Value)
				require.Equal(t, v.TokenType, ttype.Value)
			}
			if tc.wantErr == errBadJSON {
				require.Error(t, jerr, "encoding/json must refuse what scanFlat refuses")
			}
		})
	}
}

func FuzzScanFlat(f *testing.F) {
	for _, s := range []string{`{"access_token":"a","token_type":"Bearer","expires_in":1}`, `{}`, `{"a":[1]}`, `{"a":1.5e3}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		access, ttype, err := scanFlat(b)
		if err == errNotFlat {
			return
		}
		valid := json.Valid(b)
		if err == nil && !valid {
			t.Fatalf("scanFlat accepted invalid JSON %q", b)
		}
		if err == errBadJSON && valid {
			var m map[string]any
			if json.Unmarshal(b, &m) == nil {
				t.Fatalf("scanFlat refused valid JSON object %q", b)
			}
		}
		if err == nil {
			var m map[string]any
			if json.Unmarshal(b, &m) != nil {
				t.Fatalf("scanFlat accepted %q, which is not a JSON object", b)
			}
			if s, ok := m["access_token"].(string); ok != access.IsString || (ok && s != access.Value) {
				t.Fatalf("access_token mismatch for %q", b)
			}
			if s, ok := m["token_type"].(string); ok != ttype.IsString || (ok && s != ttype.Value) {
				t.Fatalf("token_type mismatch for %q", b)
			}
			_, aThere := m["access_token"]
			_, tThere := m["token_type"]
			if aThere != access.Present || tThere != ttype.Present {
				t.Fatalf("presence mismatch for %q", b)
			}
		}
	})
}
