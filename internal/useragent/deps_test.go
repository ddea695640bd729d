package useragent

import (
	"testing"

	"github.com/oauthconf/oauthconf/internal/depcheck"
)

// TestImportsNoProjectPackage keeps the user agent standalone: steps wires
// it in, and it shares no code with the reference's login pages.
func TestImportsNoProjectPackage(t *testing.T) {
	depcheck.Check(t, ".", "useragent imports no package of the module", func(imp depcheck.Import) bool {
		return !imp.Module() || imp.Test && (imp.Of("internal/useragent") || imp.Of("internal/depcheck"))
	})
}
