package steps

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/oauthconf/oauthconf/profile"
)

func TestCheckErrorCode(t *testing.T) {
	refused := func(status int, body string) *Exchange {
		return &Exchange{Status: status, StatusText: http.StatusText(status), RespHeader: http.Header{"Content-Type": {"application/json"}}, RespBody: []byte(body)}
	}
	rfc := func(codes map[string]string) *profile.Profile {
		return &profile.Profile{Name: "t", Errors: profile.ErrorSpec{Format: profile.ErrorFormatRFC6749, Codes: codes}}
	}
	cases := []struct {
		description string
		p           *profile.Profile
		ex          *Exchange
		want        string
		wantErr     string // "" when the check passes
	}{
		{"the RFC code passes", rfc(nil), refused(400, `{"error":"invalid_grant"}`), "invalid_grant", ""},
		{"one of several codes passes", rfc(nil), refused(400, `{"error":"invalid_client"}`), "unauthorized_client|invalid_client", ""},
		{"another code fails", rfc(nil), refused(400, `{"error":"invalid_request"}`), "invalid_grant", `want error invalid_grant, got "invalid_request"`},
		{"a status the code does not allow is a status finding", rfc(nil), refused(401, `{"error":"invalid_grant"}`), "invalid_grant", "finding rfc6749-5.2-status: invalid_grant answered with HTTP 401 (RFC 6749 §5.2 wants 400)"},
		{"a wrong code with a wrong status fails the rule", rfc(nil), refused(401, `{"error":"invalid_request"}`), "invalid_grant", `want error invalid_grant, got "invalid_request" (HTTP 401)`},
		{"a server error is never a refusal", rfc(nil), refused(500, `{"error":"invalid_grant"}`), "invalid_grant", "got a server error"},
		{"a mapped vendor code passes", rfc(map[string]string{"unauthorized_client": "invalid_grant"}), refused(400, `{"error":"invalid_grant"}`), "unauthorized_client", ""},
		{"a mapped code replaces the RFC one", rfc(map[string]string{"unauthorized_client": "invalid_grant"}), refused(400, `{"error":"unauthorized_client"}`), "unauthorized_client", "as errors.codes maps it"},
		{"a success is no refusal", rfc(nil), refused(200, `{"access_token":"x"}`), "invalid_grant", "want the request refused"},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			err := checkErrorCode(tc.p, tc.ex, tc.want)
			var f findingError
			if errors.As(err, &f) {
				err = fmt.Errorf("finding %s: %s", f.f.Rule, f.f.Cause)
			}
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("want pass, got %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("want an error containing %q, got %v", tc.wantErr, err)
			}
		})
	}
}
