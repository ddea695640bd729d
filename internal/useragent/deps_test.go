package useragent

import (
	"testing"

	"github.com/oauthconf/oauthconf/internal/depcheck"
)

// TestImportsNoProjectPackage keeps the user agent standalone: steps wires
// it in, and it shares no code with the reference's login pages. Of the
// module it imports only internal/httpx (standard library only), for origins
// and the redirection endpoint match.
func TestImportsNoProjectPackage(t *testing.T) {
	depcheck.Check(t, ".", "useragent imports only internal/httpx of the module", func(imp depcheck.Import) bool {
		return !imp.Module() || imp.Of("internal/httpx") || imp.Test && (imp.Of("internal/useragent") || imp.Of("internal/depcheck"))
	})
}
