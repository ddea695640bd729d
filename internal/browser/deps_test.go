package browser

import (
	"testing"

	"github.com/oauthconf/oauthconf/internal/depcheck"
)

// TestImportsNoProjectPackage keeps the package standalone: steps wires it
// in, and it reaches servers only through the browser. Of the module it
// imports only internal/httpx, for origins, and internal/redact, the
// harness's one redaction (both standard library only).
func TestImportsNoProjectPackage(t *testing.T) {
	depcheck.Check(t, ".", "browser imports only internal/httpx and internal/redact of the module", func(imp depcheck.Import) bool {
		return !imp.Module() || imp.Of("internal/httpx") || imp.Of("internal/redact") || imp.Test && imp.Of("internal/depcheck")
	})
}
