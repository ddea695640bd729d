package browser

import (
	"testing"

	"github.com/oauthconf/oauthconf/internal/depcheck"
)

// TestImportsNoProjectPackage keeps the package standalone: steps wires it
// in, and it reaches servers only through the browser. Of the module it
// imports only internal/httpx (standard library only), for origins.
func TestImportsNoProjectPackage(t *testing.T) {
	depcheck.Check(t, ".", "browser imports only internal/httpx of the module", func(imp depcheck.Import) bool {
		return !imp.Module() || imp.Of("internal/httpx") || imp.Test && imp.Of("internal/depcheck")
	})
}
