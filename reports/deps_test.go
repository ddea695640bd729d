package reports

import (
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDependencyRule: reports reads files only; it imports the standard library,
// the vegeta lib, hdrhistogram, internal/outputs (the file schemas) and
// internal/redact (the one secret vocabulary), both standard library only,
// never steps, load or reference (tests may add testify and chromedp).
func TestDependencyRule(t *testing.T) {
	allowed := []string{"github.com/tsenart/vegeta/v12/lib", "github.com/HdrHistogram/hdrhistogram-go",
		"github.com/oauthconf/oauthconf/internal/outputs", "github.com/oauthconf/oauthconf/internal/redact"}
	entries, err := os.ReadDir(".")
	require.NoError(t, err)
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		require.NoError(t, err)
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			first, _, _ := strings.Cut(path, "/")
			ok := !strings.Contains(first, ".") // standard library
			for _, a := range allowed {
				ok = ok || path == a
			}
			if strings.HasSuffix(name, "_test.go") {
				// chromedp drives the browser tests at a phone's width.
				ok = ok || strings.HasPrefix(path, "github.com/stretchr/testify/") || path == "github.com/chromedp/chromedp"
			}
			assert.True(t, ok, "%s imports %s, outside the dependency rule", name, path)
		}
	}
}
