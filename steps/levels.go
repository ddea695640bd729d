package steps

import (
	"bufio"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"

	"github.com/cucumber/godog"
	"github.com/oauthconf/oauthconf/profile"
)

// ValidateTags checks a godog tag expression: "&&"-joined terms, each a
// ","-joined list of @tag or ~@tag (godog's syntax, which also takes a name
// without its @; "and", "or", "not" and parentheses are not part of it). godog itself panics on some malformed
// expressions, so they are refused here with what is wrong.
func ValidateTags(expr string) error {
	if strings.TrimSpace(expr) == "" {
		return nil
	}
	for _, and := range strings.Split(expr, "&&") {
		for _, or := range strings.Split(and, ",") {
			tok := strings.TrimSpace(or)
			name := strings.TrimPrefix(strings.TrimPrefix(tok, "~"), "@")
			switch {
			case tok == "":
				return fmt.Errorf("--tags %q: an empty term (around && or ,); godog syntax: @a && ~@b, @a,@b", expr)
			case name == "" || strings.ContainsAny(name, " \t()&|!@"):
				return fmt.Errorf("--tags %q: %q is not a tag (@name or ~@name); godog syntax: @a && ~@b, @a,@b", expr, tok)
			}
		}
	}
	return nil
}

// FeatureTags returns the tags (without @) that the features in fsys put on
// features, scenarios and examples: what a profile's requirements may name.
func FeatureTags(fsys fs.FS) (map[string]bool, error) {
	tags := map[string]bool{}
	err := eachFeatureLine(fsys, func(_, line string) bool {
		if strings.HasPrefix(line, "@") {
			for _, t := range strings.Fields(line) {
				tags[strings.TrimPrefix(t, "@")] = true
			}
		}
		return true
	})
	return tags, err
}

// CheckRequirements reports the keys of p's requirements that no scenario
// carries as a tag: a typo, or a tag renamed since the profile was written,
// would otherwise change nothing, silently.
func CheckRequirements(p *profile.Profile, tags map[string]bool) error {
	var unknown []string
	for k := range p.Requirements {
		if !tags[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	slices.Sort(unknown)
	return fmt.Errorf("profile %s: requirements: no scenario has the tag %s (the tags are listed in docs/requirements.md)", p.Name, "@"+strings.Join(unknown, ", @"))
}

// featureNames maps each feature file to its Feature: title.
func featureNames(fsys fs.FS) (map[string]string, error) {
	out := map[string]string{}
	err := eachFeatureLine(fsys, func(p, line string) bool {
		t, ok := strings.CutPrefix(line, "Feature:")
		if ok {
			out[p] = strings.TrimSpace(t)
		}
		return !ok
	})
	return out, err
}

// eachFeatureLine calls fn with every trimmed line of every .feature file in
// fsys, in order, until fn returns false for that file.
func eachFeatureLine(fsys fs.FS, fn func(path, line string) bool) error {
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".feature") {
			return err
		}
		f, err := fsys.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if !fn(p, strings.TrimSpace(sc.Text())) {
				break
			}
		}
		return sc.Err()
	})
	if err != nil {
		return fmt.Errorf("reading feature files: %w", err)
	}
	return nil
}

// decide returns a scenario's level and, if it must not run, why. The level
// is the scenario's @must/@should/@may tag, overridden (weakest first) by the
// level of its @grant-X feature's grant, headers.no_store for the no-store
// scenarios, the level of a grant its steps require ("the target supports
// the X grant", which skips by itself when the grant is missing or off), and
// requirements.<tag>.
func decide(p *profile.Profile, o Options, tags, grants []string) (level, skip string) {
	level = profile.LevelMust
	for _, t := range tags {
		switch t {
		case "@should":
			level = profile.LevelShould
		case "@may":
			level = profile.LevelMay
		}
	}
	for _, t := range tags {
		if g, ok := strings.CutPrefix(t, "@grant-"); ok {
			gr, supported := p.Grants[g]
			if !supported {
				return level, fmt.Sprintf("profile %s does not support the %s grant", p.Name, g)
			}
			if gr.Level != "" {
				level = gr.Level
			}
		}
	}
	for _, t := range tags {
		if strings.Contains(t, "no-store") && p.Headers.NoStore != "" {
			level = p.Headers.NoStore
		}
	}
	for _, g := range grants {
		if gr, ok := p.Grants[g]; ok && gr.Level != "" && gr.Level != profile.LevelOff {
			level = gr.Level
		}
	}
	if l := requirementLevel(p, tags); l != "" {
		level = l
	}
	if level == profile.LevelOff {
		return level, fmt.Sprintf("profile %s switches this requirement off (level: off)", p.Name)
	}
	for _, t := range tags {
		if t == "@slow" && o.SkipSlow {
			return level, "@slow scenario (waits in real time): skipped by --skip-slow"
		}
	}
	return level, ""
}

// grantStep matches the steps that require a grant (capabilities).
var grantStep = regexp.MustCompile(`^the target supports the "([^"]*)" grant`)

// stepGrants returns the grants that sc's steps require.
func stepGrants(sc *godog.Scenario) []string {
	var out []string
	for _, st := range sc.Steps {
		if m := grantStep.FindStringSubmatch(st.Text); m != nil {
			out = append(out, m[1])
		}
	}
	return out
}

// requirementLevel returns the profile's requirements override for tags.
// When the profile overrides several of a scenario's requirement tags, the
// weakest level wins (off, then may, then should, then must): a scenario
// that also checks a requirement the target does not hold to cannot be held
// to more.
func requirementLevel(p *profile.Profile, tags []string) string {
	rank := map[string]int{profile.LevelOff: 0, profile.LevelMay: 1, profile.LevelShould: 2, profile.LevelMust: 3}
	level := ""
	for _, t := range tags {
		l, ok := p.Requirements[strings.TrimPrefix(t, "@")]
		if !ok || l == "" {
			continue
		}
		if level == "" || rank[l] < rank[level] {
			level = l
		}
	}
	return level
}

// LevelGates reports whether a failure (or finding) at level fails the run:
// a MUST always, a SHOULD with --strict, a MAY never. A MAY (RFC 2119 §5:
// "truly optional") that fails says an optional feature is absent or
// deviates from the RFC's description; --strict does not turn it into a
// failure, since a server that leaves the feature out conforms.
func LevelGates(level string, strict bool) bool {
	switch level {
	case profile.LevelShould:
		return strict
	case profile.LevelMay:
		return false
	}
	return true
}

// levelRank orders levels for reports: must, should, may (gating first).
func levelRank(level string) int {
	return map[string]int{profile.LevelMust: 0, profile.LevelShould: 1, profile.LevelMay: 2}[level]
}
