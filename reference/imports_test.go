package reference

import (
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestImportsNothingOfTheClientSide enforces the dependency rule: the reference
// implements the wire format on its own, so it must not import steps, load,
// reports or profile, nor the harness's internal/redact, internal/httpx and internal/proc (a
// shared bug would make both sides agree).
func TestImportsNothingOfTheClientSide(t *testing.T) {
	entries, err := os.ReadDir(".")
	require.NoError(t, err)
	fset := token.NewFileSet()
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") {
			continue
		}
		f, err := parser.ParseFile(fset, e.Name(), nil, parser.ImportsOnly)
		require.NoError(t, err)
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			for _, banned := range []string{"/steps", "/load", "/reports", "/profile", "/features", "/internal/redact", "/internal/httpx", "/internal/proc"} {
				require.False(t, strings.HasPrefix(path, "github.com/oauthconf/oauthconf"+banned),
					"%s imports %s", e.Name(), path)
			}
		}
	}
}

func TestIndexListsDialectsAndDefects(t *testing.T) {
	ts := newTestServer(t, CodeReusable)
	rp := ts.do(req{method: "GET", path: "/"})
	require.Equal(t, 200, rp.status)
	body := rp.json(t)
	require.Equal(t, []any{"code-reusable"}, body["defects"])
	require.Len(t, body["dialects"], 4)
	require.Equal(t, true, body["test_clock"])
	require.Equal(t, 404, ts.do(req{method: "GET", path: "/no/such/path"}).status)
}
