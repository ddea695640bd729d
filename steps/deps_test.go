package steps

import (
	"testing"

	"github.com/oauthconf/oauthconf/internal/depcheck"
)

// TestDependencyRule: the suite reaches servers only over HTTP and encodes
// the wire format independently of the reference, so it never imports
// reference, load, reports or the command (its tests may start the
// reference on httptest when TARGET is unset, still talking only HTTP to
// it).
func TestDependencyRule(t *testing.T) {
	depcheck.Check(t, ".", "steps never imports reference, load, reports or cmd", func(imp depcheck.Import) bool {
		return !imp.Of("load") && !imp.Of("reports") && !imp.Of("cmd") && (imp.Test || !imp.Of("reference"))
	})
}
