package steps

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/oauthconf/oauthconf/features"
	"github.com/oauthconf/oauthconf/reference"
)

var update = flag.Bool("update", false, "rewrite testdata/defects.golden from this run")

var builtinProfiles = []string{"elasticpath", "rfc6749", "shopware", "ucommerce"}

// unkillable lists the @must and @should scenarios ("Feature / Name") that
// no defect of the reference's catalogue breaks, with the reason. Each is a
// finding about the catalogue (reported to the reference's owner), not a
// check that cannot fail: each asserts a status or field a broken server
// would get wrong. It is empty: every @must and @should scenario of the
// features, whether or not a clean run of a built-in profile runs it, is
// failed by at least one defect under at least one profile
// (killableScenarios). An entry needs a reason and is a finding to fix by
// adding the defect that breaks the rule.
var unkillable = map[string]string{}

// timingDefects change what a server does only within one second, so which
// scenarios beyond the ones they are for fail depends on where the second
// boundary falls; the golden file keeps only those (timingScenarios).
var timingDefects = map[reference.Defect]string{
	reference.TokensDeterministic: "identical tokens within one second: the uniqueness scenarios always see them, the others only sometimes",
}

// timingScenarios names the scenarios a timing defect is judged by.
const timingScenarios = "issued within one second are all different"

// shouldOnly lists the (defect, profile) pairs whose failures are all SHOULD
// scenarios, so that `verify` exits 0 for them without --strict, with the
// reason. Every other defect makes each profile of the dialects it changes
// fail a MUST scenario, which is what "any --defect exits 1" needs.
var shouldOnly = map[string]string{
	"redirect-uri-required/rfc6749":          "RFC 6749 §3.1.2.3: falling back to the one registered URI is a MAY (never gating); the MUST exchange check is then not tested (no code)",
	"secret-in-query/elasticpath":            "RFC 6749 §2.3.1 forbids credentials in the URI to the client; refusing them is checked as a SHOULD",
	"secret-in-query/rfc6749":                "RFC 6749 §2.3.1 forbids credentials in the URI to the client; refusing them is checked as a SHOULD",
	"secret-in-query/shopware":               "RFC 6749 §2.3.1 forbids credentials in the URI to the client; refusing them is checked as a SHOULD",
	"secret-in-query/ucommerce":              "RFC 6749 §2.3.1 forbids credentials in the URI to the client; refusing them is checked as a SHOULD",
	"token-get-allowed/elasticpath":          "RFC 6749 §3.2 says the client MUST use POST; refusing GET is checked as a SHOULD",
	"token-get-allowed/rfc6749":              "RFC 6749 §3.2 says the client MUST use POST; refusing GET is checked as a SHOULD",
	"token-get-allowed/shopware":             "RFC 6749 §3.2 says the client MUST use POST; refusing GET is checked as a SHOULD",
	"token-get-allowed/ucommerce":            "RFC 6749 §3.2 says the client MUST use POST; refusing GET is checked as a SHOULD",
	"refresh-in-client-credentials/rfc6749":  "RFC 6749 §4.4.3 says SHOULD NOT (vendor profiles that document it raise it to must)",
	"code-replay-no-revoke/rfc6749":          "RFC 6749 §4.1.2: revoking on replay is a SHOULD",
	"code-replay-no-revoke/ucommerce":        "RFC 6749 §4.1.2: revoking on replay is a SHOULD",
	"bearer-accepts-revoked/ucommerce":       "Ucommerce has no revocation endpoint; tokens are revoked only by a code replay, whose check (RFC 6749 §4.1.2) is a SHOULD",
	"bearer-scheme-case/elasticpath":         "the scheme's case-insensitivity (RFC 7235 §2.1) is checked as a SHOULD",
	"bearer-scheme-case/rfc6749":             "the scheme's case-insensitivity (RFC 7235 §2.1) is checked as a SHOULD",
	"bearer-scheme-case/ucommerce":           "the scheme's case-insensitivity (RFC 7235 §2.1) is checked as a SHOULD",
	"no-cache-headers/elasticpath":           "Elastic Path does not document no-store: the profile sets headers.no_store: should",
	"no-cache-headers/ucommerce":             "Ucommerce does not document no-store: the profile sets headers.no_store: should",
	"introspection-inactive-details/rfc6749": "RFC 7662 §2.2: saying more about an inactive token is a SHOULD NOT",
	"duplicate-params/elasticpath":           "RFC 6749 §3.2 forbids repeats in the message; refusing them is checked as a SHOULD",
	"duplicate-params/rfc6749":               "RFC 6749 §3.2 forbids repeats in the message; refusing them is checked as a SHOULD",
	"duplicate-params/ucommerce":             "RFC 6749 §3.2 forbids repeats in the message; refusing them is checked as a SHOULD",
	"bearer-accepts-revoked/rfc6749":         "RFC 7009 §2: revoking access tokens is a SHOULD",
	"session-fixation/rfc6749":               "session fixation is an OWASP ASVS 3.2.1 rule, not an RFC 2119 sentence (RFC 6749 §3.1 leaves sign-in out of scope): checked as a SHOULD",
	"jwt-claims-missing/rfc6749":             "the rfc6749 profile treats access tokens as opaque (RFC 6749 §1.4); without a client_id claim the reference cannot revoke the token, which the SHOULD-level revocation check notices",
}

// serialDefects are run one scenario at a time, with the reason: their
// side effects cross scenarios, so which ones fail would depend on timing.
var serialDefects = map[reference.Defect]string{
	reference.TokensNotUnique: "every scenario gets the same client_credentials token, so one scenario's revocation makes another's control fail if it runs later",
}

// raceDefects open a window that only some races hit: their runs race as
// many rounds as verify does (Options.RaceRounds), the others three, and run
// with no other defect's run beside them (a loaded machine hides the window).
var raceDefects = map[reference.Defect]bool{
	reference.CodeStoreNotAtomic:    true,
	reference.RefreshStoreNotAtomic: true,
}

// pendingDefects lists the defects of the reference's catalogue that no
// scenario kills yet, with the reason; TestDefects leaves them out. Each entry
// is work to do: write the scenario, then delete the entry and run -update
// (defects that need a server mode, reference.Defect.Needs, need
// startReference to start the server in it).
var pendingDefects = map[reference.Defect]string{}

// failing returns the IDs of the failed scenarios of res and of the
// findings raised beside passing ones ("<profile>: finding <rule>: <cause>"),
// sorted.
func failing(res Result) []string {
	var out []string
	for _, s := range res.Scenarios() {
		if s.Status == StatusFailed {
			out = append(out, s.ID())
		}
	}
	for _, p := range res.Profiles {
		for _, rc := range p.RootCauses {
			if rc.Finding {
				out = append(out, p.Name+": finding "+rc.Rule+": "+rc.Cause)
			}
		}
	}
	sort.Strings(out)
	return out
}

// TestDefects proves the suite able to fail: it runs every built-in profile
// against the reference server once clean (everything must pass) and once per
// defect of reference.Defects(), and compares the failing scenarios of each
// defect with testdata/defects.golden. Every defect must make at least one
// scenario fail, and every @must and @should scenario must be failed by at
// least one defect (unkilledScenarios).
func TestDefects(t *testing.T) {
	if raceDetector {
		// Its ~90 reference servers and the race defects' 3 s bursts take
		// over 8 minutes under the race detector on 2 cores; `make test`
		// runs it without -race right after (make defects).
		t.Skip("TestDefects runs without -race: make defects (part of make test)")
	}
	clean := runProfiles(t, startReference(t).URL, builtinProfiles...)
	if f := failing(clean); len(f) > 0 {
		t.Fatalf("the clean reference server fails scenarios:\n  %s", strings.Join(f, "\n  "))
	}
	cleanLogin := runLogin(t, startReferenceWith(t, []reference.Option{reference.WithLogin(reference.LoginForm)}).URL)
	if f := failing(cleanLogin); len(f) > 0 {
		t.Fatalf("the clean reference server with sign-in pages (WithLogin) fails scenarios of the login profile:\n  %s", strings.Join(f, "\n  "))
	}
	var defects []reference.Defect
	for _, d := range reference.Defects() {
		if pendingDefects[d] == "" {
			defects = append(defects, d)
		}
	}
	if testing.Short() {
		defects = defects[:len(defects)/4]
	}
	got := make(map[reference.Defect][]string, len(defects))
	mustFails := map[string]bool{} // "defect/profile" with a failed @must scenario
	var mu sync.Mutex
	sem := make(chan struct{}, 4)
	var alone sync.RWMutex // a race defect runs with no other defect beside it
	var wg sync.WaitGroup
	for _, d := range defects {
		wg.Add(1)
		go func(d reference.Defect) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if raceDefects[d] {
				alone.Lock()
				defer alone.Unlock()
			} else {
				alone.RLock()
				defer alone.RUnlock()
			}
			res, err := runDefect(t, d)
			if err != nil {
				t.Errorf("defect %s: RunAll: %v", d, err)
				return
			}
			mu.Lock()
			got[d] = failing(res)
			if _, ok := timingDefects[d]; ok {
				got[d] = slices.DeleteFunc(got[d], func(id string) bool { return !strings.Contains(id, timingScenarios) })
			}
			for _, sc := range res.Scenarios() {
				if sc.Status == StatusFailed && sc.Level == "must" {
					mustFails[string(d)+"/"+sc.Profile] = true
				}
			}
			for _, p := range res.Profiles {
				for _, rc := range p.RootCauses {
					if rc.Finding && rc.Level == "must" {
						mustFails[string(d)+"/"+p.Name] = true
					}
				}
			}
			mu.Unlock()
		}(d)
	}
	wg.Wait()

	var b strings.Builder
	b.WriteString("# Defect → scenarios it makes fail, per built-in profile. Regenerate with\n")
	b.WriteString("#   go test ./steps -run TestDefects -update\n")
	b.WriteString("# and explain every change in the commit message.\n")
	killed := map[string]bool{}
	for _, d := range defects {
		fmt.Fprintf(&b, "\n%s\n", d)
		if len(got[d]) == 0 {
			t.Errorf("defect %s (%s) makes no scenario fail", d, d.Describe())
			b.WriteString("  (none)\n")
		}
		for _, id := range got[d] {
			fmt.Fprintf(&b, "  %s\n", id)
			killed[id] = true
		}
	}
	// The dialects a defect changes (reference.Defect.Dialects) are exactly
	// the built-in profiles it makes fail, each with a MUST failure unless
	// shouldOnly says otherwise: a defect that changes a dialect but no check
	// of its profile notices is a gap in the suite, and the other way round a
	// wrong claim in the catalogue.
	for _, d := range defects {
		failed := map[string]bool{}
		for _, id := range got[d] {
			failed[strings.SplitN(id, ":", 2)[0]] = true
		}
		dialects := map[string]bool{}
		for _, name := range d.Dialects() {
			dialects[name] = true
			if !failed[name] {
				t.Errorf("defect %s changes the %s dialect, but no scenario of profile %s fails under it", d, name, name)
				continue
			}
			key := string(d) + "/" + name
			if _, ok := shouldOnly[key]; mustFails[key] == ok {
				t.Errorf("defect %s under profile %s: MUST failure = %v, but shouldOnly lists it = %v", d, name, mustFails[key], ok)
			}
		}
		for name := range failed {
			if !dialects[name] {
				t.Errorf("defect %s makes profile %s fail, but reference says it changes only %v", d, name, d.Dialects())
			}
		}
	}
	if !testing.Short() {
		for _, msg := range unkilledScenarios(t, killed) {
			t.Error(msg)
		}
	}
	golden := filepath.Join("testdata", "defects.golden")
	if *update && !testing.Short() {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	wantMap := parseGolden(string(want))
	for _, d := range defects {
		w, g := wantMap[string(d)], got[d]
		if strings.Join(w, "\n") != strings.Join(g, "\n") {
			t.Errorf("defect %s: failing scenarios changed\n  missing: %s\n  new:     %s",
				d, strings.Join(diff(w, g), "\n           "), strings.Join(diff(g, w), "\n           "))
		}
	}
	if !testing.Short() && len(wantMap) != len(defects) {
		t.Errorf("golden file lists %d defects, the catalogue has %d (run with -update)", len(wantMap), len(defects))
	}
}

// runDefect runs every built-in profile against a reference with defect d,
// in the server mode d needs. A serial defect gets one server per profile,
// each run one scenario at a time, so that neither another profile's
// traffic nor the time it takes changes what fails.
func runDefect(t *testing.T, d reference.Defect) (Result, error) {
	mode := modeRun(t, d.Needs())
	if _, serial := serialDefects[d]; !serial {
		all := mode.runs(mode.start(t, d).URL)
		for i := range all {
			if raceDefects[d] {
				all[i].RaceRounds, all[i].Concurrency = DefaultRaceRounds, 1
			}
		}
		return RunAll(context.Background(), all)
	}
	var res Result
	for i := range builtinProfiles {
		o := mode.runs(mode.start(t, d).URL)[i]
		o.Concurrency = 1
		r, err := RunAll(context.Background(), []Options{o})
		if err != nil {
			return res, err
		}
		res.Profiles = append(res.Profiles, r.Profiles...)
	}
	return res, nil
}

func parseGolden(s string) map[string][]string {
	out := map[string][]string{}
	cur := ""
	for _, line := range strings.Split(s, "\n") {
		switch {
		case strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "":
		case !strings.HasPrefix(line, " "):
			cur = line
			out[cur] = []string{}
		case strings.TrimSpace(line) != "(none)":
			out[cur] = append(out[cur], strings.TrimSpace(line))
		}
	}
	return out
}

// diff returns the elements of a not in b.
func diff(a, b []string) []string {
	in := map[string]bool{}
	for _, x := range b {
		in[x] = true
	}
	var out []string
	for _, x := range a {
		if !in[x] {
			out = append(out, x)
		}
	}
	return out
}

// runLogin runs the rfc6749 profile with its authorize.login section against
// url (a reference started WithLogin).
func runLogin(t testing.TB, url string) Result {
	t.Helper()
	res, err := RunAll(context.Background(), []Options{loginOptions(t, url)})
	if err != nil {
		t.Fatalf("RunAll: %v", err)
	}
	return res
}

// killable is a @must or @should scenario: where it is and its level tag.
type killable struct{ where, level string }

// killableScenarios returns the @must and @should scenarios of the features
// (one per example row of an outline), "Feature / Name" mapped to where the
// scenario is ("features/x.feature:26"): the ones some defect must fail.
// Which profile or server mode runs them does not matter; a scenario no
// built-in profile runs against the clean reference still needs a defect,
// in a mode (reference.Defect.Needs, modeRun) where it runs.
func killableScenarios(t testing.TB) map[string]killable {
	t.Helper()
	pickles, err := compileFeatures(features.FS)
	if err != nil {
		t.Fatal(err)
	}
	names, err := featureNames(features.FS)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]killable{}
	for _, c := range pickles {
		pk := c.pickle
		for _, tg := range pk.Tags {
			if tg.Name == "@must" || tg.Name == "@should" {
				out[names[pk.Uri]+" / "+pk.Name] = killable{fmt.Sprintf("features/%s:%d", pk.Uri, c.line), tg.Name}
				break
			}
		}
	}
	return out
}

// unkilledScenarios returns one message for each @must or @should scenario
// (killableScenarios) that no failing ID of killed ("profile: Feature /
// Name", as defects.golden lists them) names and unkillable does not
// excuse, and for each unkillable entry that names no such scenario or one
// a defect kills after all; sorted.
func unkilledScenarios(t testing.TB, killed map[string]bool) []string {
	t.Helper()
	byScenario := map[string]bool{}
	for id := range killed {
		if _, sc, ok := strings.Cut(id, ": "); ok {
			byScenario[sc] = true
		}
	}
	all := killableScenarios(t)
	var out []string
	for sc, k := range all {
		if !byScenario[sc] && unkillable[sc] == "" {
			out = append(out, fmt.Sprintf("%s scenario %q (%s) passes against every defect under every profile: no defect proves it able to fail", k.level, sc, k.where))
		}
	}
	for sc := range unkillable {
		switch _, ok := all[sc]; {
		case !ok:
			out = append(out, fmt.Sprintf("unkillable lists %q, which is no @must or @should scenario", sc))
		case byScenario[sc]:
			out = append(out, fmt.Sprintf("unkillable lists %q, but a defect kills it: delete the entry", sc))
		}
	}
	sort.Strings(out)
	return out
}

// TestEveryMustAndShouldScenarioIsKilled checks testdata/defects.golden,
// which TestDefects keeps equal to what the defects do, without running
// them: every @must and @should scenario of the features is failed by at
// least one defect under at least one built-in profile (unkilledScenarios).
// It runs in -short and under the race detector, where TestDefects does not.
func TestEveryMustAndShouldScenarioIsKilled(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "defects.golden"))
	if err != nil {
		t.Fatal(err)
	}
	killed := map[string]bool{}
	for _, ids := range parseGolden(string(b)) {
		for _, id := range ids {
			killed[id] = true
		}
	}
	for _, msg := range unkilledScenarios(t, killed) {
		t.Error(msg)
	}
}

// TestUnkilledScenarios: the check flags a @must or @should scenario no
// failing ID names, whichever profile a kill is under, and ignores findings.
func TestUnkilledScenarios(t *testing.T) {
	all := killableScenarios(t)
	const jwks = "Authorization server metadata (RFC 8414) / The advertised jwks_uri serves a JWK Set"
	if k, ok := all[jwks]; !ok || k.level != "@must" || k.where != "features/metadata.feature:26" {
		t.Fatalf("killableScenarios()[%q] = %+v, %v; want the @must scenario at features/metadata.feature:26", jwks, k, ok)
	}
	everyKill := func(profile string) map[string]bool {
		m := map[string]bool{}
		for sc := range all {
			m[profile+": "+sc] = true
		}
		return m
	}
	butJWKS := everyKill("ucommerce")
	delete(butJWKS, "ucommerce: "+jwks)
	butJWKS["rfc6749: finding "+jwks] = true
	cases := []struct {
		description string
		killed      map[string]bool
		want        int
		wantText    string
	}{
		{"nothing killed: every @must and @should scenario is flagged", map[string]bool{}, len(all), "passes against every defect"},
		{"every scenario killed under one profile: none is flagged", everyKill("elasticpath"), 0, ""},
		{"a finding naming a scenario is no kill of it", butJWKS, 1, `@must scenario "` + jwks + `" (features/metadata.feature:26)`},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			got := unkilledScenarios(t, tc.killed)
			if len(got) != tc.want || (tc.want > 0 && !strings.Contains(strings.Join(got, "\n"), tc.wantText)) {
				t.Errorf("got %d messages, want %d containing %q:\n%s", len(got), tc.want, tc.wantText, strings.Join(got, "\n"))
			}
		})
	}
}
