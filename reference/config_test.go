package reference

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDemoConfigIsValid: the built-in configuration passes its own checks
// (internal/demo's tests check it covers every built-in profile).
func TestDemoConfigIsValid(t *testing.T) {
	require.NoError(t, DemoConfig().Validate())
}

func TestLoadConfig(t *testing.T) {
	cases := []struct {
		description string
		yaml        string
		wantErr     string
		check       func(t *testing.T, c Config)
	}{
		{"empty file keeps the demo", "", "", func(t *testing.T, c Config) { require.Len(t, c.Ucommerce.Stores, 2) }},
		{"a key overrides the demo", "shopware:\n  access_ttl: 5m\n", "", func(t *testing.T, c Config) {
			require.Equal(t, "5m0s", c.Shopware.AccessTTL.String())
			require.Len(t, c.Shopware.Integrations, 1, "other keys keep the demo values")
		}},
		{"unknown field names its line", "shopware:\n  acess_ttl: 5m\n", "line 2: field acess_ttl not found", nil},
		{"bad duration names its line and field", "ucommerce:\n  code_ttl: one minute\n", `line 2: ucommerce.code_ttl: "one minute" is not a duration`, nil},
		{"negative duration names its line and field", "rfc6749:\n  scopes: [read]\n  refresh_ttl: -1s\n", "line 3: rfc6749.refresh_ttl: duration \"-1s\" must be positive", nil},
		{"store without secret names its line", "ucommerce:\n  stores:\n    - client_id: x\n      redirect_uris: [https://a.test/cb]\n", "line 3: ucommerce.stores[0]: client_id and client_secret are required", nil},
		{"duplicate client names the second one's line", "ucommerce:\n  stores:\n    - {client_id: x, client_secret: y, redirect_uris: [https://a]}\n    - {client_id: x, client_secret: z, redirect_uris: [https://b]}\n", `line 4: ucommerce.stores[1].client_id: "x" is used twice`, nil},
		{"missing field names its parent's line", "ucommerce:\n  stores:\n    - name: a\n      client_id: x\n      client_secret: y\n", "line 3: ucommerce.stores[0].redirect_uris: at least one whitelisted URL is required", nil},
		{"unknown grant names its line", "rfc6749:\n  clients:\n    - client_id: c\n      grants:\n        - client_credentials\n        - device_code\n", `line 6: rfc6749.clients[0].grants[1]: unknown grant "device_code"`, nil},
		{"short signing key names its line", "# keys\nshopware:\n  signing_key: short\n", "line 3: shopware.signing_key: at least 16 characters", nil},
		{"every problem is reported", "shopware:\n  signing_key: short\nelasticpath:\n  signing_key: short\n", "line 4: elasticpath.signing_key", nil},
		{"a value of the wrong type names its line and field", "shopware:\n  users:\n    - username: u\n      password: p\n      admin: maybe\n", "line 5: shopware.users[0].admin: cannot unmarshal", nil},
		{"a second document is refused with its line", "shopware:\n  access_ttl: 5m\n---\nucommerce:\n  code_ttl: 1m\n", "line 4: a second YAML document", nil},
		{"a second document after a leading separator", "---\nshopware:\n  access_ttl: 5m\n---\n# more\nrfc6749: {}\n", "line 6: a second YAML document", nil},
		{"a leading separator alone is one document", "---\nshopware:\n  access_ttl: 5m\n", "", func(t *testing.T, c Config) { require.Equal(t, "5m0s", c.Shopware.AccessTTL.String()) }},
		{"not YAML", "ucommerce: [\n", "config", nil},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cfg.yaml")
			require.NoError(t, os.WriteFile(path, []byte(tc.yaml), 0o600))
			c, err := LoadConfig(path)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				require.ErrorContains(t, err, path, "the error names the file")
				return
			}
			require.NoError(t, err)
			tc.check(t, c)
		})
	}
	_, err := LoadConfig(filepath.Join(t.TempDir(), "missing.yaml"))
	require.ErrorContains(t, err, "no such file")
}

func TestTestClockEndpoint(t *testing.T) {
	ts := newTestServer(t)
	rp := ts.do(req{path: "/_test/clock", json: map[string]string{"advance": "soon"}})
	require.Equal(t, 400, rp.status)
	rp = ts.do(req{path: "/_test/clock", json: map[string]string{"advance": "1h"}})
	require.Equal(t, 200, rp.status)
	require.Contains(t, rp.json(t), "now")

	srv, err := New(DemoConfig(), WithPurgeInterval(0))
	require.NoError(t, err)
	hs := newLoopback(t, srv)
	resp, err := hs.Client().Post(hs.URL+"/_test/clock", "application/json", nil)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 404, resp.StatusCode, "without WithTestClock the path does not exist")
}
