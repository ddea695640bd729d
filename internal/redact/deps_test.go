package redact

import (
	"testing"

	"github.com/oauthconf/oauthconf/internal/depcheck"
)

// TestStandardLibraryOnly: every layer of the harness may import this
// package (reports too, which reads only files), so it imports nothing but
// the standard library (its tests only internal/depcheck besides).
func TestStandardLibraryOnly(t *testing.T) {
	depcheck.Check(t, ".", "redact imports only the standard library", func(imp depcheck.Import) bool {
		return imp.Std() || imp.Test && imp.Of("internal/depcheck")
	})
}
