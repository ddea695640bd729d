package demo

import (
	"testing"

	"github.com/oauthconf/oauthconf/profile"
	"github.com/oauthconf/oauthconf/reference"
)

// TestEveryBuiltinProfileResolves: --demo-credentials against `oauthconf
// serve` needs no other secret for any built-in profile.
func TestEveryBuiltinProfileResolves(t *testing.T) {
	for _, name := range profile.Builtin() {
		t.Run(name, func(t *testing.T) {
			p, err := profile.Load(name)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := profile.Resolve(p, For(name), func(string) string { return "" }); err != nil {
				t.Errorf("demo credentials of %s: %v", name, err)
			}
		})
	}
}

// TestCredentialsPickTheConfiguredAccounts names, per dialect, which account
// of the configuration each credential comes from.
func TestCredentialsPickTheConfiguredAccounts(t *testing.T) {
	cases := []struct {
		description, profile, key, want string
	}{
		{"ucommerce: the first store is the client", "ucommerce", "client_id", "uc-main-store"},
		{"ucommerce: the second store is the other client", "ucommerce", "other_client_id", "uc-outlet-store"},
		{"shopware: the first integration is the client", "shopware", "client_id", "SWIADEMOINTEGRATION0000001"},
		{"shopware: the first user is the resource owner", "shopware", "username", "admin"},
		{"rfc6749: the second confidential client is the other client", "rfc6749", "other_client_id", "conf-client-2"},
		{"rfc6749: the first public client with a redirect URI", "rfc6749", "public_client_id", "public-client"},
		{"an unknown profile gets nothing", "no-such-profile", "client_id", ""},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			if got := For(tc.profile)[tc.key]; got != tc.want {
				t.Errorf("For(%q)[%q] = %q, want %q", tc.profile, tc.key, got, tc.want)
			}
		})
	}
}

// TestCredentialsFollowTheConfiguration: a configuration loaded with other
// accounts (serve --config) yields those accounts, not the built-in ones.
func TestCredentialsFollowTheConfiguration(t *testing.T) {
	cfg := reference.DemoConfig()
	cfg.Shopware.Integrations = []reference.ShopwareIntegration{{AccessKeyID: "SWIAOTHER", SecretAccessKey: "other-secret"}}
	got := Credentials(cfg, "shopware")
	if got["client_id"] != "SWIAOTHER" || got["client_secret"] != "other-secret" {
		t.Errorf("got %v, want the configured integration", got)
	}
}
