package steps

import (
	"errors"
	"strings"
	"testing"

	"github.com/oauthconf/oauthconf/profile"
)

func TestPrepare(t *testing.T) {
	full := map[string]string{"client_id": "c", "client_secret": "s", "redirect_uri": "http://127.0.0.1/cb"}
	noEnv := func(string) string { return "" }
	cases := []struct {
		description string
		plan        Plan
		wantKind    string // "" for success
		wantErr     string
	}{
		{"one profile with its credentials", Plan{Profiles: []string{"rfc6749"}, Given: full, Getenv: noEnv}, "", ""},
		{"an unknown profile", Plan{Profiles: []string{"nosuchvendor"}, Getenv: noEnv}, AbortProfile, "nosuchvendor"},
		{"the same profile twice", Plan{Profiles: []string{"rfc6749", "rfc6749"}, Given: full, Getenv: noEnv}, AbortProfile, `both named "rfc6749"`},
		{"a credential the profile does not declare", Plan{Profiles: []string{"rfc6749"}, Given: map[string]string{"client_secrt": "x"}, Getenv: noEnv},
			AbortCredentials, `credential "client_secrt" is not declared by profile rfc6749`},
		{"a missing credential, with the hint", Plan{Profiles: []string{"rfc6749"}, Getenv: noEnv, ResolveHint: "(try --demo-credentials)"},
			AbortCredentials, "(try --demo-credentials)"},
		{"credentials from the front end", Plan{Profiles: []string{"rfc6749"}, Getenv: noEnv,
			Credentials: func(*profile.Profile) map[string]string { return full }}, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			tc.plan.Base = Options{Tags: "@must", Concurrency: 3}
			all, err := Prepare(tc.plan)
			if tc.wantKind == "" {
				if err != nil {
					t.Fatalf("Prepare: %v", err)
				}
				if len(all) != 1 || all[0].Profile.Name != "rfc6749" || all[0].Tags != "@must" || all[0].Concurrency != 3 || !hasValue(all[0].Credentials, "client_secret", "s") {
					t.Fatalf("got %+v, want one rfc6749 run with the base options and its credentials", all)
				}
				return
			}
			var ae *AbortError
			if !errors.As(err, &ae) || ae.Kind != tc.wantKind || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want an abort of kind %s saying %q", err, tc.wantKind, tc.wantErr)
			}
		})
	}
}

func hasValue(c profile.Credentials, name, want string) bool {
	v, ok := c.Get(name)
	return ok && v == want
}
