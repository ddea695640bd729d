package profile

import (
	"testing"

	"github.com/oauthconf/oauthconf/internal/depcheck"
)

// TestDependencyRule: steps and load both read profiles, so profile imports
// of the module only the file schemas (internal/outputs) and the secret
// vocabulary (internal/redact), never steps, load, reports or reference (its
// tests add the shared token-response table and depcheck).
func TestDependencyRule(t *testing.T) {
	depcheck.Check(t, ".", "profile imports only internal/outputs and internal/redact of the module", func(imp depcheck.Import) bool {
		if !imp.Module() || imp.Of("internal/outputs") || imp.Of("internal/redact") {
			return true
		}
		return imp.Test && (imp.Of("internal/tokencases") || imp.Of("internal/depcheck"))
	})
}
