package main

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/oauthconf/oauthconf/reference"
)

// TestVerifyShopwareExitsOneUnderEveryShopwareDefect is issue 3's acceptance
// as a test: `verify --target … --profile shopware --test-clock` against a
// reference server started with any defect that changes the Shopware dialect
// (serve --list-defects names the dialects of each) exits 1 and names the
// failing scenario. Defects of other dialects cannot change what Shopware's
// endpoints do; steps.TestDefects checks that claim for every profile.
func TestVerifyShopwareExitsOneUnderEveryShopwareDefect(t *testing.T) {
	for _, d := range reference.Defects() {
		if !slices.Contains(d.Dialects(), "shopware") {
			continue
		}
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			target := referenceTarget(t, nil, d)
			args := append([]string{"verify", "--target", target, "--profile", "shopware", "--test-clock"}, shopwareCreds()...)
			code, out, errOut := runCLI(context.Background(), args...)
			if code != 1 {
				t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
			}
			if !strings.Contains(out+errOut, "FAIL [shopware] ") {
				t.Fatalf("no failing scenario named\nstdout:\n%s\nstderr:\n%s", out, errOut)
			}
		})
	}
}
