package proc

import (
	"strings"
	"testing"

	"github.com/oauthconf/oauthconf/internal/depcheck"
)

// TestStandardLibraryOnly: proc reads /proc with the standard library only
// (its tests add testify and internal/depcheck).
func TestStandardLibraryOnly(t *testing.T) {
	depcheck.Check(t, ".", "proc imports only the standard library", func(imp depcheck.Import) bool {
		return imp.Std() || imp.Test && (imp.Of("internal/depcheck") || strings.HasPrefix(imp.Path, "github.com/stretchr/testify/"))
	})
}
