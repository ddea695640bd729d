package steps

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/oauthconf/oauthconf/reference"
)

var update = flag.Bool("update", false, "rewrite testdata/defects.golden from this run")

var builtinProfiles = []string{"elasticpath", "rfc6749", "shopware", "ucommerce"}

// unkillable lists the @must scenarios that no defect of the reference's
// catalogue breaks, with the reason. Each is a finding about the catalogue
// (reported to the reference's owner), not a check that cannot fail: each
// asserts a status or field a broken server would get wrong.
var unkillable = map[string]string{
	"Bearer token usage on the protected resource / A request without a token is refused":    "no defect makes a protected resource accept a request without credentials",
	"Authorization code grant / Authorization answers 302 with the code in Location":         "no defect breaks the success redirect (status, redirect URI or state echo)",
	"Implicit grant / An implicit token can read":                                            "no defect makes a protected resource refuse a valid implicit token (rfc6749)",
	"Token response shape / The implicit token response has the documented fields and types": "no defect changes the RFC 6749 §4.2.2 fragment response (expires-in-string only touches JSON bodies)",
}

// failing returns the IDs of the failed scenarios of res, sorted.
func failing(res Result) []string {
	var out []string
	for _, s := range res.Scenarios() {
		if s.Status == StatusFailed {
			out = append(out, s.ID())
		}
	}
	sort.Strings(out)
	return out
}

// TestDefects proves the suite able to fail: it runs every built-in profile
// against the reference server once clean (everything must pass) and once per
// defect of reference.Defects(), and compares the failing scenarios of each
// defect with testdata/defects.golden. Every defect must make at least one
// scenario fail, and every @must scenario must be failed by at least one defect.
func TestDefects(t *testing.T) {
	clean := runProfiles(t, startReference(t).URL, builtinProfiles...)
	if f := failing(clean); len(f) > 0 {
		t.Fatalf("the clean reference server fails scenarios:\n  %s", strings.Join(f, "\n  "))
	}
	defects := reference.Defects()
	if testing.Short() {
		defects = defects[:len(defects)/4]
	}
	got := make(map[reference.Defect][]string, len(defects))
	var mu sync.Mutex
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for _, d := range defects {
		wg.Add(1)
		go func(d reference.Defect) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			res := runProfiles(t, startReference(t, d).URL, builtinProfiles...)
			mu.Lock()
			got[d] = failing(res)
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
	if !testing.Short() {
		for _, s := range clean.Scenarios() {
			if s.Status == StatusPassed && s.Level == "must" && !killed[s.ID()] && unkillable[s.Feature+" / "+s.Name] == "" {
				t.Errorf("@must scenario %s passes against every defect: no defect proves it able to fail", s.ID())
			}
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
