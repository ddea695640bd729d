package steps

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/oauthconf/oauthconf/internal/demo"
	"github.com/oauthconf/oauthconf/profile"
)

// newTestScenario returns a scenario of o's target, in its context.
func newTestScenario(t *testing.T, o Options) (context.Context, *scenario) {
	t.Helper()
	r, err := newRun(o)
	if err != nil {
		t.Fatal(err)
	}
	s := &scenario{t: r.t}
	return context.WithValue(context.Background(), scenarioKey{}, s), s
}

// sentGrants returns the grant_type of every token request s sent.
func sentGrants(s *scenario) []string {
	var out []string
	for _, ex := range s.exchanges {
		if v, err := url.ParseQuery(string(ex.ReqBody)); err == nil && v.Get("grant_type") != "" {
			out = append(out, v.Get("grant_type"))
		}
	}
	return out
}

func TestPKCEClientSetting(t *testing.T) {
	ts := startReferenceWith(t, nil)
	demo := demo.For("rfc6749")
	cases := []struct {
		description string
		setting     string
		noPublic    bool
		wantClient  string
	}{
		{"by default the public client", "", false, demo["public_client_id"]},
		{"by default the confidential client when no public client is configured", "", true, demo["client_id"]},
		{"pkce_client: confidential", profile.PKCEClientConfidential, false, demo["client_id"]},
		{"pkce_client: public", profile.PKCEClientPublic, false, demo["public_client_id"]},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			o := demoOptions(t, "rfc6749", ts.URL)
			o.Profile.Authorize.PKCEClient = tc.setting
			if tc.noPublic {
				given := map[string]string{}
				for k, v := range demo {
					if !strings.HasPrefix(k, "public_") {
						given[k] = v
					}
				}
				creds, err := profile.Resolve(o.Profile, given, func(string) string { return "" })
				if err != nil {
					t.Fatal(err)
				}
				o.Credentials = creds
			}
			ctx, s := newTestScenario(t, o)
			if err := thePKCEClientHasAnAuthorizationCodeIssuedWithAnS256Challenge(ctx); err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse(s.exchanges[0].URL)
			if got := u.Query().Get("client_id"); got != tc.wantClient {
				t.Errorf("the code was requested for client %q, want %q", got, tc.wantClient)
			}
			if err := thePKCEClientExchangesTheCodeWithTheRightCodeVerifier(ctx); err != nil {
				t.Fatal(err)
			}
			if err := theTokenResponseIsSuccessful(ctx); err != nil {
				t.Errorf("the exchange with the right verifier: %v\n%s", err, s.transcript())
			}
		})
	}
}

func TestTokenGrantSettings(t *testing.T) {
	ts := startReferenceWith(t, nil)
	cases := []struct {
		description string
		set         func(p *profile.Profile, g string)
		step        func(ctx context.Context) error
	}{
		{"resources.protected.token_grant", func(p *profile.Profile, g string) { p.Resources["protected"].TokenGrant = g },
			func(ctx context.Context) error { return theResourceAcceptsAFreshAccessToken(ctx, "protected") }},
		{"introspection.token_grant", func(p *profile.Profile, g string) { p.Introspection.TokenGrant = g },
			theClientHoldsATokenThatIntrospectsAsActive},
	}
	for _, tc := range cases {
		for _, g := range []string{profile.GrantPassword, profile.GrantAuthorizationCode} {
			t.Run(tc.description+" "+g, func(t *testing.T) {
				o := demoOptions(t, "rfc6749", ts.URL)
				tc.set(o.Profile, g)
				ctx, s := newTestScenario(t, o)
				if err := tc.step(ctx); err != nil {
					t.Fatalf("%v\n%s", err, s.transcript())
				}
				if got := sentGrants(s); len(got) != 1 || got[0] != g {
					t.Errorf("token requests sent: %v, want one %s", got, g)
				}
				if s.tok.grant != g {
					t.Errorf("the token used is from %q, want %q", s.tok.grant, g)
				}
			})
		}
	}
}
