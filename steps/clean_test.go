package steps

import (
	"os"
	"testing"
)

func TestCleanReferencePasses(t *testing.T) {
	ts := startReference(t)
	var all []Options
	for _, n := range []string{"ucommerce", "shopware", "elasticpath", "rfc6749"} {
		o := demoOptions(t, n, ts.URL)
		o.Output = os.Stdout
		o.Verbose = testing.Verbose()
		all = append(all, o)
	}
	res, err := RunAll(t.Context(), all)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Scenarios() {
		if s.Status == StatusFailed {
			t.Errorf("%s failed: %s", s.ID(), s.Message)
		}
	}
}
