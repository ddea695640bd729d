package load

import (
	"testing"

	"github.com/oauthconf/oauthconf/internal/depcheck"
)

// TestDependencyRule: load reaches servers only over HTTP and shares no code
// with the suite, so it never imports steps, reference, reports or the
// command (its tests may start the reference on httptest, still talking only
// HTTP to it).
func TestDependencyRule(t *testing.T) {
	depcheck.Check(t, ".", "load never imports steps, reference, reports or cmd", func(imp depcheck.Import) bool {
		return !imp.Of("steps") && !imp.Of("reports") && !imp.Of("cmd") && (imp.Test || !imp.Of("reference"))
	})
}
