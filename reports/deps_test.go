package reports

import (
	"slices"
	"strings"
	"testing"

	"github.com/oauthconf/oauthconf/internal/depcheck"
)

// TestDependencyRule: reports reads files only; it imports the standard library,
// the vegeta lib, hdrhistogram, internal/outputs (the file schemas) and
// internal/redact (the one secret vocabulary), both standard library only,
// never steps, load or reference (tests may add testify, chromedp and
// internal/depcheck).
func TestDependencyRule(t *testing.T) {
	allowed := []string{"github.com/tsenart/vegeta/v12/lib", "github.com/HdrHistogram/hdrhistogram-go",
		depcheck.Module + "/internal/outputs", depcheck.Module + "/internal/redact"}
	depcheck.Check(t, ".", "outside the dependency rule", func(imp depcheck.Import) bool {
		if imp.Std() || slices.Contains(allowed, imp.Path) {
			return true
		}
		// chromedp drives the browser tests at a phone's width.
		return imp.Test && (strings.HasPrefix(imp.Path, "github.com/stretchr/testify/") ||
			imp.Path == "github.com/chromedp/chromedp" || imp.Of("internal/depcheck"))
	})
}
