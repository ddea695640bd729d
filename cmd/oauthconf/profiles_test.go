package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauthconf/oauthconf/internal/demo"
	"github.com/oauthconf/oauthconf/profile"
)

// rfc6749Creds returns --credential flags with the reference's demo
// credentials of the rfc6749 dialect that p declares.
func rfc6749Creds(p *profile.Profile) []string {
	var args []string
	for k, v := range demo.For("rfc6749") {
		if _, ok := p.Credentials[k]; ok {
			args = append(args, "--credential", k+"="+v)
		}
	}
	return args
}

func TestProfilesDiscoverThenVerifyPasses(t *testing.T) {
	target := referenceTarget(t, nil)
	code, out, errOut := runCLI(t.Context(), "profiles", "discover", target)
	if code != 0 {
		t.Fatalf("discover: exit %d\n%s", code, errOut)
	}
	p, err := profile.Parse([]byte(out), "discovered")
	if err != nil {
		t.Fatalf("the discovered profile does not load: %v\n%s", err, out)
	}
	checks := map[string]bool{
		"token.path is the reference's":     p.Token.Path == "/oauth2/token",
		"authorize.path is the reference's": p.Authorize != nil && p.Authorize.Path == "/oauth2/authorize",
		"PKCE is supported":                 p.Authorize != nil && p.Authorize.PKCE == profile.PKCESupported,
		"revocation is found":               p.Revocation != nil && p.Revocation.Path == "/oauth2/revoke",
		"introspection is found":            p.Introspection != nil && p.Introspection.Path == "/oauth2/introspect",
		"client_auth is basic":              p.Token.ClientAuth == profile.ClientAuthBasic,
		"the issuer is the target":          p.Metadata != nil && p.Metadata.Issuer == target,
		"every grant is found":              len(p.Grants) == 5,
	}
	for what, ok := range checks {
		if !ok {
			t.Errorf("%s: no\n%s", what, out)
		}
	}
	file := filepath.Join(t.TempDir(), "discovered.yaml")
	if err := os.WriteFile(file, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"verify", "--profile", file, "--target", target, "--test-clock"}, rfc6749Creds(p)...)
	code, vout, verr := runCLI(t.Context(), args...)
	if code != 0 {
		t.Fatalf("verify with the discovered profile: exit %d\n%s\n%s", code, vout, verr)
	}
	for _, secret := range demoSecrets() {
		if strings.Contains(out+vout+verr, secret) {
			t.Errorf("a demo secret is in the output")
		}
	}
}

func TestProfilesDiscoverErrors(t *testing.T) {
	notJSON := referenceTarget(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/.well-known/") {
				w.Header().Set("Content-Type", "text/html")
				_, _ = w.Write([]byte("<html>sign in</html>"))
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	noMetadata := referenceTarget(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/.well-known/") {
				http.NotFound(w, r)
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	cases := []struct {
		description string
		args        []string
		wantCode    int
		wantErr     []string
	}{
		{"a server without metadata names both URLs tried", []string{"profiles", "discover", noMetadata}, 1,
			[]string{"no authorization server metadata", "/.well-known/oauth-authorization-server (404", "/.well-known/openid-configuration (404"}},
		{"an HTML page is not metadata", []string{"profiles", "discover", notJSON}, 1,
			[]string{"Content-Type is \"text/html\", want application/json"}},
		{"an issuer with a query is a usage error", []string{"profiles", "discover", "http://127.0.0.1:1/?x=1"}, 2,
			[]string{"an issuer has no query"}},
		{"an unreachable server exits 2, as verify and load do", []string{"profiles", "discover", "http://127.0.0.1:1", "--timeout", "2s"}, 2,
			[]string{"discover: target check failed", "127.0.0.1:1"}},
		{"an issuer with a path gets the path inserted after the well-known suffix", []string{"profiles", "discover", noMetadata + "/tenant/a"}, 1,
			[]string{"/.well-known/oauth-authorization-server/tenant/a (404", "/tenant/a/.well-known/openid-configuration (404"}},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			code, out, errOut := runCLI(t.Context(), tc.args...)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.wantCode, out, errOut)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
			if out != "" {
				t.Errorf("a failed discovery printed a profile:\n%s", out)
			}
		})
	}
}
