package browser

import (
	"testing"

	"github.com/oauthconf/oauthconf/internal/depcheck"
)

// TestImportsNoProjectPackage keeps the package standalone: steps wires it
// in, and it reaches servers only through the browser.
func TestImportsNoProjectPackage(t *testing.T) {
	depcheck.Check(t, ".", "browser imports no package of the module", func(imp depcheck.Import) bool {
		return !imp.Module() || imp.Test && imp.Of("internal/depcheck")
	})
}
