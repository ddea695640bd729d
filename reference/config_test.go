package reference

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDemoConfigIsValidAndCoversEveryProfile(t *testing.T) {
	cfg := DemoConfig()
	require.NoError(t, cfg.Validate())
	for _, p := range []string{"ucommerce", "shopware", "elasticpath", "rfc6749"} {
		creds := cfg.Credentials(p)
		require.NotEmpty(t, creds["client_id"], p)
	}
	require.Equal(t, "uc-outlet-store", cfg.Credentials("ucommerce")["other_client_id"])
	require.Equal(t, "public-client", cfg.Credentials("rfc6749")["public_client_id"])
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
		{"bad duration names its line", "ucommerce:\n  code_ttl: one minute\n", `line 2: "one minute" is not a duration`, nil},
		{"negative duration", "ucommerce:\n  code_ttl: -1s\n", "must be positive", nil},
		{"store without secret", "ucommerce:\n  stores:\n    - client_id: x\n      redirect_uris: [https://a.test/cb]\n", "ucommerce.stores[0]: client_id and client_secret are required", nil},
		{"duplicate client", "ucommerce:\n  stores:\n    - {client_id: x, client_secret: y, redirect_uris: [https://a]}\n    - {client_id: x, client_secret: z, redirect_uris: [https://b]}\n", `ucommerce.stores[1].client_id: "x" is used twice`, nil},
		{"unknown grant", "rfc6749:\n  clients:\n    - {client_id: c, grants: [device_code]}\n", `unknown grant "device_code"`, nil},
		{"short signing key", "shopware:\n  signing_key: short\n", "shopware.signing_key: at least 16 characters", nil},
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
