package steps

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/golang-jwt/jwt/v5"

	"github.com/oauthconf/oauthconf/profile"
)

func TestClaimProblem(t *testing.T) {
	num := func(s string) json.Number { return json.Number(s) }
	tests := []struct {
		description string
		name        string
		value       any
		want        string // the expected value, "" for any
		problem     string // "" for none, else a substring of the problem
	}{
		{"a string aud equal to the expected audience passes", "aud", "api", "api", ""},
		{"an array aud containing the expected audience passes (RFC 7519 §4.1.3)", "aud", []any{"other", "api"}, "api", ""},
		{"an array aud of strings passes when any value will do", "aud", []any{"a", "b"}, "", ""},
		{"an array aud without the expected audience fails", "aud", []any{"other"}, "api", `claim aud is the array ["other"], want it to contain "api"`},
		{"a string aud that differs fails", "aud", "other", "api", `claim aud is the string "other", want "api"`},
		{"a numeric aud is a type error", "aud", num("5"), "", "aud is the number 5, want a string or an array of strings (RFC 7519 §4.1.3)"},
		{"an aud array with a number is a type error", "aud", []any{"api", num("5")}, "api", `aud is the array ["api",5], want a string or an array of strings`},
		{"an integer exp passes", "exp", num("1700000000"), "", ""},
		{"a fractional exp passes (RFC 7519 §2 NumericDate)", "exp", num("1700000000.123456"), "", ""},
		{"an exp string is a type error", "exp", "1700000000", "", `exp is the string "1700000000", want a NumericDate, a JSON number (RFC 7519 §2, §4.1.4)`},
		{"a boolean iat is a type error", "iat", true, "", "iat is the boolean true, want a NumericDate"},
		{"a null nbf is a type error", "nbf", nil, "", "nbf is null, want a NumericDate"},
		{"a numeric iss is a type error", "iss", num("1"), "", "iss is the number 1, want a string (RFC 7519 §4.1.1)"},
		{"an array sub is a type error", "sub", []any{"u"}, "", `sub is the array ["u"], want a string (RFC 7519 §4.1.2)`},
		{"a string jti passes", "jti", "abc", "", ""},
		{"a vendor claim compares its string", "role", "ClientUser", "ClientUser", ""},
		{"a vendor claim that differs fails", "role", "Admin", "ClientUser", `claim role is the string "Admin", want "ClientUser"`},
		{"a vendor array claim contains the expected value", "scopes", []any{"write", "admin"}, "admin", ""},
		{"a vendor number claim compares its JSON text", "tenant", num("42"), "42", ""},
		{"a vendor object claim never equals a string", "cnf", map[string]any{"x": "y"}, "y", `claim cnf is an object, want "y"`},
		{"a vendor claim of any type passes when any value will do", "cnf", map[string]any{}, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			got := claimProblem(tc.name, tc.value, tc.want)
			if tc.problem == "" && got != "" || tc.problem != "" && !strings.Contains(got, tc.problem) {
				t.Errorf("claimProblem(%s, %#v, %q) = %q, want %q", tc.name, tc.value, tc.want, got, tc.problem)
			}
		})
	}
}

// claimsFeature checks a client_credentials JWT's claims and lifetime.
const claimsFeature = `Feature: JWT claims

  @must
  Scenario: The claims
    Given the target supports the "client_credentials" grant
    And the profile says access tokens are JWTs
    When the client obtains a token with the "client_credentials" grant
    Then the access token carries the documented claims

  @must
  Scenario: The lifetime
    Given the target supports the "client_credentials" grant
    When the client obtains a token with the "client_credentials" grant
    Then the access token's lifetime agrees with expires_in
`

// jwtServer is a fake token endpoint that issues HS256 JWTs with claims
// (a test double, not the reference: it shows how a real server may write them).
func jwtServer(t *testing.T, claims jwt.MapClaims) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/token" {
			return
		}
		tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte("fake-signing-key"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Pragma", "no-cache")
		fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":60}`, tok)
	}))
	t.Cleanup(ts.Close)
	return ts
}

// TestClaimsByJSONType runs the claims and lifetime checks against servers
// that write the registered claims in each legal form (no false alarm) and
// with a wrong JSON type (named, and the lifetime not judged on it).
func TestClaimsByJSONType(t *testing.T) {
	const iat = 1700000000
	tests := []struct {
		description        string
		claims             jwt.MapClaims
		claimsOK, lifetime Status
		want               string
	}{
		{"an array aud containing the client is no false alarm",
			jwt.MapClaims{"aud": []string{"https://api.example.test", "fake-client"}, "iss": "https://as.example.test", "sub": "fake-client", "iat": iat, "exp": iat + 60},
			StatusPassed, StatusPassed, ""},
		{"a string aud and fractional NumericDates are no false alarm",
			jwt.MapClaims{"aud": "fake-client", "iss": "https://as.example.test", "sub": "fake-client", "iat": iat + 0.25, "exp": iat + 60.25},
			StatusPassed, StatusPassed, ""},
		{"a numeric aud is named",
			jwt.MapClaims{"aud": 5, "iss": "https://as.example.test", "sub": "fake-client", "iat": iat, "exp": iat + 60},
			StatusFailed, StatusPassed, "aud is the number 5, want a string or an array of strings (RFC 7519 §4.1.3)"},
		{"an array aud without the client fails",
			jwt.MapClaims{"aud": []string{"https://api.example.test"}, "iss": "https://as.example.test", "sub": "fake-client", "iat": iat, "exp": iat + 60},
			StatusFailed, StatusPassed, `want it to contain "fake-client"`},
		{"an exp string is named, and the lifetime is not judged on it",
			jwt.MapClaims{"aud": "fake-client", "iss": "https://as.example.test", "sub": "fake-client", "iat": iat, "exp": fmt.Sprint(iat + 60)},
			StatusFailed, StatusFailed, `exp is the string "1700000060", want a NumericDate`},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			ts := jwtServer(t, tc.claims)
			p, err := profile.Parse([]byte(`
name: fake
token: {path: /token, encoding: form, client_auth: body}
token_type: Bearer
token_format: jwt
jwt: {alg: HS256, claims: {aud: "${client_id}", iss: "", sub: "", exp: "", iat: ""}}
grants:
  client_credentials: {expires_in: 60, refresh_token: forbidden}
credentials:
  client_id: {}
  client_secret: {secret: true}
`), "test")
			if err != nil {
				t.Fatal(err)
			}
			creds := profile.NewCredentials(map[string]string{"client_id": "fake-client", "client_secret": "fake-secret-value"}, "client_secret")
			res, err := Run(t.Context(), Options{BaseURL: ts.URL, Profile: p, Credentials: creds,
				Features: fstest.MapFS{"claims.feature": {Data: []byte(claimsFeature)}}})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]*ScenarioResult{}
			for _, sc := range res.Scenarios() {
				got[sc.Name] = sc
			}
			if c := got["The claims"]; c == nil || c.Status != tc.claimsOK || !strings.Contains(c.Message, tc.want) {
				t.Errorf("claims scenario = %+v, want %s with %q", c, tc.claimsOK, tc.want)
			}
			// An unreadable lifetime is a failed precondition (a control),
			// never a verdict on expires_in.
			l := got["The lifetime"]
			switch {
			case l == nil:
				t.Errorf("no lifetime scenario in %v", got)
			case tc.lifetime == StatusPassed && l.Status != StatusPassed:
				t.Errorf("lifetime scenario = %s (%s), want passed", l.Status, l.Message)
			case tc.lifetime != StatusPassed && (l.Status == StatusPassed || !strings.Contains(l.Message, "lifetime cannot be read")):
				t.Errorf("lifetime scenario = %s (%s), want its lifetime unreadable", l.Status, l.Message)
			}
		})
	}
}
