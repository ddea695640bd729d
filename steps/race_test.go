package steps

import (
	"context"
	"strings"
	"testing"

	"github.com/oauthconf/oauthconf/reference"
)

// TestRaceCatchesGetThenDeleteStores runs each race scenario alone 20 times
// against a reference whose store reads, checks and deletes in separate
// critical sections (no sleep: the window is the minting of the tokens) and
// wants the double success reported in at least 19 runs, with verify's
// race budget (DefaultRaceRounds, RaceBudget); a clean reference must pass.
// Loopback only; each run is bounded by that budget.
func TestRaceCatchesGetThenDeleteStores(t *testing.T) {
	if testing.Short() {
		t.Skip("20 runs of each race scenario")
	}
	const runs, wantKills = 20, 19
	cases := []struct {
		description string
		defect      reference.Defect
		profile     string
		tag         string
	}{
		{"a get-then-delete code store", reference.CodeStoreNotAtomic, "rfc6749", "@rfc6749-10.5-race"},
		{"a get-then-delete refresh store", reference.RefreshStoreNotAtomic, "shopware", "@rfc9700-4.14.2-race"},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			if raceRunFails(t, startReference(t).URL, tc.profile, tc.tag) {
				t.Fatalf("the clean reference fails %s", tc.tag)
			}
			defective := startReference(t, tc.defect).URL
			kills := 0
			for range runs {
				if raceRunFails(t, defective, tc.profile, tc.tag) {
					kills++
				}
			}
			t.Logf("%s caught in %d of %d runs", tc.defect, kills, runs)
			if kills < wantKills {
				t.Errorf("%s caught in %d of %d runs, want at least %d", tc.defect, kills, runs, wantKills)
			}
		})
	}
}

// raceRunFails runs the scenario tagged tag of profile against url and
// reports whether it failed for a double success ("k of N concurrent …
// succeeded"); it fails the test if the scenario ended any other way than
// passing or that.
func raceRunFails(t *testing.T, url, profile, tag string) bool {
	t.Helper()
	o := demoOptions(t, profile, url)
	o.Tags, o.RaceRounds = tag, DefaultRaceRounds
	res, err := Run(context.Background(), o)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	scs := res.Scenarios()
	if len(scs) != 1 {
		t.Fatalf("tag %s selects %d scenarios of profile %s, want 1", tag, len(scs), profile)
	}
	sc := scs[0]
	switch {
	case sc.Status == StatusPassed:
		return false
	case sc.Status == StatusFailed && strings.Contains(sc.Message, " concurrent ") && strings.Contains(sc.Message, "succeeded, want at most 1"):
		return true
	}
	t.Fatalf("%s: %s: %s", sc.ID(), sc.Status, sc.Message)
	return false
}
