package steps

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/oauthconf/oauthconf/features"
	"github.com/oauthconf/oauthconf/internal/demo"
	"github.com/oauthconf/oauthconf/profile"
	"github.com/oauthconf/oauthconf/reference"
)

func TestMutate(t *testing.T) {
	tests := []struct {
		description string
		registered  string
		how         string
		want        string // the mutated URI, or with skip a substring of the reason
		skip        bool
	}{
		{"a DNS name gets a subdomain", "https://client.example.test/callback", "subdomain", "https://evil.client.example.test/callback", false},
		{"a DNS name keeps its port under a subdomain", "https://client.example.test:8080/cb", "subdomain", "https://evil.client.example.test:8080/cb", false},
		{"localhost gets a subdomain of localhost (RFC 6761 §6.3)", "http://localhost:53682/cb", "subdomain", "http://evil.localhost:53682/cb", false},
		{"an IPv4 literal has no subdomain", "http://127.0.0.1:53682/cb", "subdomain", "IP literal, which has no subdomains", true},
		{"an IPv6 literal has no subdomain", "http://[::1]:53682/cb", "subdomain", "IP literal, which has no subdomains", true},
		{"a DNS name gets another port", "https://client.example.test/callback", "explicit port", "https://client.example.test:8443/callback", false},
		{"a port 8443 becomes 8444", "https://client.example.test:8443/callback", "explicit port", "https://client.example.test:8444/callback", false},
		{"a non-loopback IPv6 literal gets a port inside valid brackets", "https://[2001:db8::1]/cb", "explicit port", "https://[2001:db8::1]:8443/cb", false},
		{"an IPv4 loopback may use any port (RFC 8252 §7.3)", "http://127.0.0.1:9/callback", "explicit port", "RFC 8252 §7.3", true},
		{"an IPv6 loopback may use any port (RFC 8252 §7.3)", "http://[::1]:9/callback", "explicit port", "RFC 8252 §7.3", true},
		{"localhost may use any port (RFC 9700 §2.1)", "http://localhost/callback", "explicit port", "RFC 8252 §7.3", true},
		{"an IPv6 literal gets userinfo", "http://[::1]:9/cb", "userinfo", "http://attacker@[::1]:9/cb", false},
		{"a DNS name gets userinfo", "https://client.example.test/callback", "userinfo", "https://attacker@client.example.test/callback", false},
		{"a private-use scheme has no host to change", "com.example.app:/oauth2redirect", "userinfo", "has no host", true},
		{"a private-use scheme gets an extra path", "com.example.app:/oauth2redirect", "extra path", "com.example.app:/oauth2redirect/extra", false},
		{"an extra query keeps the registered one", "https://client.example.test/cb?tenant=a", "extra query", "https://client.example.test/cb?extra=1&tenant=a", false},
		{"a trailing slash is added", "https://client.example.test/cb", "trailing slash", "https://client.example.test/cb/", false},
		{"the path is upper-cased", "https://client.example.test/cb", "upper case", "https://client.example.test/CB", false},
		{"without letters in the path the host is upper-cased", "https://client.example.test/123", "upper case", "https://CLIENT.EXAMPLE.TEST/123", false},
		{"an IP literal with no letters anywhere has no case to change", "http://127.0.0.1:9/123", "upper case", "no lower-case letter", true},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			got, err := mutate(tc.registered, tc.how)
			var skip skipError
			switch {
			case tc.skip:
				if !errors.As(err, &skip) || !strings.Contains(skip.reason, tc.want) {
					t.Fatalf("mutate(%q, %q) = %q, %v; want not applicable with %q", tc.registered, tc.how, got, err, tc.want)
				}
				return
			case err != nil:
				t.Fatalf("mutate(%q, %q): %v", tc.registered, tc.how, err)
			case got != tc.want:
				t.Errorf("mutate(%q, %q) = %q, want %q", tc.registered, tc.how, got, tc.want)
			}
			if _, err := url.Parse(got); err != nil {
				t.Errorf("the mutated URI %q is not a valid URI: %v", got, err)
			}
		})
	}
	if _, err := mutate("https://client.example.test/cb", "sideways"); err == nil || !strings.Contains(err.Error(), "internal") {
		t.Errorf("an unknown mutation gives %v, want a harness error", err)
	}
}

// TestMutationsOfALoopbackRedirectURI runs the redirect URI whitelist
// against the reference's Ucommerce store with its IPv4 loopback redirect
// URI: the port and subdomain mutations are not applicable (with why), the
// others are refused; and a server that crashes on an unregistered URI fails
// them with "server error", never passes them.
func TestMutationsOfALoopbackRedirectURI(t *testing.T) {
	data, err := features.FS.ReadFile("redirect_uri.feature")
	if err != nil {
		t.Fatal(err)
	}
	feats := fstest.MapFS{"redirect_uri.feature": {Data: data}}
	for _, tc := range []struct {
		description string
		defects     []reference.Defect
		want        map[string]string // scenario → status and a message substring
	}{
		{"a clean server", nil, map[string]string{
			"A redirect URI with explicit port is refused": "skipped RFC 8252 §7.3",
			"A redirect URI with subdomain is refused":     "skipped IP literal",
			"A redirect URI with userinfo is refused":      "passed",
			"A redirect URI with extra path is refused":    "passed",
		}},
		{"a server that crashes on an unregistered URI", []reference.Defect{reference.RedirectCheck500}, map[string]string{
			"A redirect URI with userinfo is refused":       "failed server error (500) instead of a refusal",
			"A redirect URI with extra path is refused":     "failed server error (500) instead of a refusal",
			"An unregistered redirect URI gets no redirect": "failed server error (500)",
			"A redirect URI with subdomain is refused":      "skipped IP literal",
		}},
	} {
		t.Run(tc.description, func(t *testing.T) {
			ts := startReference(t, tc.defects...)
			o := demoOptions(t, "ucommerce", ts.URL)
			given := demo.For("ucommerce")
			given["redirect_uri"] = "http://127.0.0.1:9/callback" // the main store's second URI
			creds, err := profile.Resolve(o.Profile, given, func(string) string { return "" })
			if err != nil {
				t.Fatal(err)
			}
			o.Credentials = creds
			o.Features = feats
			res, err := Run(t.Context(), o)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]*ScenarioResult{}
			for _, sc := range res.Scenarios() {
				got[sc.Name] = sc
			}
			for name, want := range tc.want {
				status, msg, _ := strings.Cut(want, " ")
				sc := got[name]
				if sc == nil || string(sc.Status) != status || !strings.Contains(sc.Message, msg) {
					t.Errorf("%s = %+v, want %s with %q", name, sc, status, msg)
				}
			}
		})
	}
}
