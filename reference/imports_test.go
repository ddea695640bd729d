package reference

import (
	"testing"

	"github.com/oauthconf/oauthconf/internal/depcheck"
	"github.com/stretchr/testify/require"
)

// TestImportsNothingOfTheClientSide enforces the dependency rule: the reference
// implements the wire format on its own, so it imports no package of this
// module (not steps, load, reports or profile, nor the harness's internal/
// packages: a shared bug would make both sides agree); its tests may use
// internal/depcheck, which holds no wire code, to say so.
func TestImportsNothingOfTheClientSide(t *testing.T) {
	depcheck.Check(t, ".", "the reference imports nothing of the module", func(imp depcheck.Import) bool {
		return !imp.Module() || imp.Test && imp.Of("internal/depcheck")
	})
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
