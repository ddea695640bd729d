package steps

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oauthconf/oauthconf/profile"
	"github.com/oauthconf/oauthconf/reference"
)

// TestPKCERequiredOfEveryClient runs the rfc6749 profile against a reference
// server that requires PKCE of confidential clients too (RFC 9700 §2.1.1,
// OAuth 2.1): with authorize.pkce: required every authorization request
// carries a challenge and the suite passes, the downgrade check skipping with
// its reason; with pkce: supported the code flow scenarios fail, which is
// what the setting is for.
func TestPKCERequiredOfEveryClient(t *testing.T) {
	cfg := reference.DemoConfig()
	cfg.RFC6749.RequirePKCE = true
	srv, err := reference.New(cfg, reference.WithTestClock())
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { ts.Close(); srv.Close() })

	run := func(t *testing.T, pkce string) Result {
		t.Helper()
		o := demoOptions(t, "rfc6749", ts.URL)
		p := *o.Profile
		a := *p.Authorize
		a.PKCE = pkce
		p.Authorize = &a
		o.Profile = &p
		res, err := Run(t.Context(), o)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	t.Run("pkce required: every scenario passes", func(t *testing.T) {
		res := run(t, profile.PKCERequired)
		downgrade := false
		for _, s := range res.Scenarios() {
			if s.Status == StatusFailed {
				t.Errorf("%s failed: %s", s.ID(), s.Message)
			}
			if s.Name == "Where PKCE is required, a code request without a challenge is refused" && s.Status != StatusPassed {
				t.Errorf("the required-PKCE check should run and pass, got %s: %s", s.Status, s.Message)
			}
			if s.Name == "A code verifier for a code issued without a challenge is refused" {
				downgrade = true
				if s.Status != StatusSkipped || !strings.Contains(s.Message, "requires PKCE of every client") {
					t.Errorf("the downgrade check should skip with its reason, got %s: %s", s.Status, s.Message)
				}
			}
		}
		if !downgrade {
			t.Error("the downgrade scenario did not run")
		}
	})
	t.Run("pkce required, but the server issues codes without a challenge: that scenario fails", func(t *testing.T) {
		lax := startReference(t) // the demo: PKCE required of public clients only
		res, err := Run(t.Context(), pkceRequiredOptions(t, lax.URL))
		if err != nil {
			t.Fatal(err)
		}
		var failed []string
		for _, s := range res.Scenarios() {
			if s.Status == StatusFailed {
				failed = append(failed, s.Name)
			}
		}
		want := []string{"Where PKCE is required, a code request without a challenge is refused"}
		if strings.Join(failed, "|") != strings.Join(want, "|") {
			t.Errorf("failed scenarios = %q, want %q", failed, want)
		}
	})
	t.Run("pkce supported: the code flow fails against this server", func(t *testing.T) {
		res := run(t, profile.PKCESupported)
		failed := 0
		for _, s := range res.Scenarios() {
			if s.Status == StatusFailed {
				failed++
			}
		}
		if failed < 10 {
			t.Errorf("only %d scenarios failed; the server refuses every code request without a challenge", failed)
		}
	})
}
