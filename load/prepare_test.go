package load

import (
	"errors"
	"strings"
	"testing"

	"github.com/oauthconf/oauthconf/internal/outputs"
	"github.com/oauthconf/oauthconf/profile"
)

func TestResolveCredentials(t *testing.T) {
	p, err := profile.Load("rfc6749")
	if err != nil {
		t.Fatal(err)
	}
	noEnv := func(string) string { return "" }
	cases := []struct {
		description string
		scenario    string
		given       map[string]string
		wantErr     string
	}{
		{"client_credentials needs only the client", ClientCredentials, map[string]string{"client_id": "c", "client_secret": "s"}, ""},
		{"a name the profile does not declare", ClientCredentials, map[string]string{"client_id": "c", "client_secret": "s", "clientsecret": "x"}, `credential "clientsecret" is not one of profile rfc6749's`},
		{"the client secret is missing", ClientCredentials, map[string]string{"client_id": "c"}, "client_secret"},
		{"implicit does not ask for the client secret", Implicit, map[string]string{"client_id": "c", "redirect_uri": "http://127.0.0.1/cb"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			_, err := ResolveCredentials(Options{Profile: p, Scenario: tc.scenario}, tc.given, noEnv)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func TestReportVerdict(t *testing.T) {
	cases := []struct {
		description string
		rep         outputs.LoadReport
		want        error
		wantMsg     string
	}{
		{"a passing run", outputs.LoadReport{Requests: 10, SuccessRatio: 1, SLO: &outputs.SLOVerdict{Pass: true}}, nil, ""},
		{"a missed SLO", outputs.LoadReport{Requests: 10, SuccessRatio: 1, SLO: &outputs.SLOVerdict{Violations: []string{"p99 < 1ms: got 2ms"}}}, ErrSLOMissed, "SLO missed: [p99 < 1ms: got 2ms]"},
		{"not one valid token response", outputs.LoadReport{Requests: 3, Errors: []string{"invalid token response: no access_token string"}}, ErrNoValidResponse,
			"none of 3 responses was a valid token response: invalid token response: no access_token string"},
		{"no request at all is no verdict", outputs.LoadReport{}, nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			err := (&Report{LoadReport: tc.rep}).Verdict()
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Verdict = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tc.want) || err.Error() != tc.wantMsg {
				t.Fatalf("Verdict = %v, want %v saying %q", err, tc.want, tc.wantMsg)
			}
		})
	}
	if err := (&Capacity{}).Verdict(); !errors.Is(err, ErrNoCapacity) {
		t.Errorf("a search without a passing rate: Verdict = %v, want ErrNoCapacity", err)
	}
}
