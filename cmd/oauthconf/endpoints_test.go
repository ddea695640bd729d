package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauthconf/oauthconf/profile"
	"github.com/stretchr/testify/require"
)

// TestLoadRefusesRemoteEndpoints: an endpoint given as an absolute URL on a
// host that is not loopback is a load target like --target, refused without
// --allow-remote (and refused for the embedded reference).
func TestLoadRefusesRemoteEndpoints(t *testing.T) {
	data, err := profile.BuiltinYAML("rfc6749")
	require.NoError(t, err)
	remote := strings.Replace(string(data), "  path: /oauth2/token", "  path: https://auth.example.com/oauth2/token", 1)
	require.NotEqual(t, string(data), remote)
	file := filepath.Join(t.TempDir(), "remote.yaml")
	require.NoError(t, os.WriteFile(file, []byte(remote), 0o600))
	cases := []struct {
		description string
		args        []string
	}{
		{"against a loopback target", []string{"load", "--profile", file, "--target", "http://127.0.0.1:1", "--demo-credentials", "--duration", "1s"}},
		{"against the embedded reference", []string{"load", "--profile", file, "--duration", "1s"}},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			code, stdout, stderr := runCLI(context.Background(), tc.args...)
			require.Equal(t, 2, code, "stdout: %s\nstderr: %s", stdout, stderr)
			require.Contains(t, stderr, "token.path (https://auth.example.com/oauth2/token)")
			require.Contains(t, stderr, "needs --target and --allow-remote")
		})
	}
}
