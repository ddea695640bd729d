package steps

import (
	"bufio"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/oauthconf/oauthconf/features"
)

// docRow is one row of docs/requirements.md: a tag and its level.
var docRow = regexp.MustCompile("^\\| `([a-z0-9.-]+)` \\|[^|]*\\|[^|]*\\| (MUST|SHOULD|MAY) \\|")

// TestRequirementsDoc keeps docs/requirements.md and the features in step:
// every requirement tag of a scenario has a row, every row names a tag some
// scenario carries, and the row's level is the level of each scenario that
// carries the tag (the level a user reads there is the one the suite uses).
func TestRequirementsDoc(t *testing.T) {
	f, err := os.Open("../docs/requirements.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := docRow.FindStringSubmatch(sc.Text()); m != nil {
			if _, dup := doc[m[1]]; dup {
				t.Errorf("docs/requirements.md: tag %s has two rows", m[1])
			}
			doc[m[1]] = strings.ToLower(m[2])
		}
	}
	levels := scenarioLevels(t)
	for tag, lv := range levels {
		want, ok := doc[tag]
		switch {
		case !ok:
			t.Errorf("tag @%s has no row in docs/requirements.md", tag)
		case len(lv) != 1:
			t.Errorf("tag @%s is on scenarios of levels %v: one rule has one level", tag, lv)
		case !lv[want]:
			t.Errorf("tag @%s: docs/requirements.md says %s, the scenarios say %v", tag, want, lv)
		}
	}
	for tag := range doc {
		if _, ok := levels[tag]; !ok {
			t.Errorf("docs/requirements.md has a row for %s, which no scenario carries", tag)
		}
	}
}

// scenarioLevels maps each requirement tag of the features to the levels of
// the scenarios that carry it.
func scenarioLevels(t *testing.T) map[string]map[string]bool {
	t.Helper()
	out := map[string]map[string]bool{}
	var prev string
	err := eachFeatureLine(features.FS, func(_, line string) bool {
		if strings.HasPrefix(line, "Scenario") && strings.HasPrefix(prev, "@") {
			level := "must"
			tags := strings.Fields(prev)
			for _, tg := range tags {
				if tg == "@should" || tg == "@may" {
					level = strings.TrimPrefix(tg, "@")
				}
			}
			for _, tg := range tags {
				if isRequirementTag(tg) {
					if out[tg[1:]] == nil {
						out[tg[1:]] = map[string]bool{}
					}
					out[tg[1:]][level] = true
				}
			}
		}
		prev = line
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// isRequirementTag reports whether a scenario tag names a rule (not a level,
// a grant or @slow).
func isRequirementTag(tag string) bool {
	switch tag {
	case "@must", "@should", "@may", "@slow":
		return false
	}
	return !strings.HasPrefix(tag, "@grant-")
}
