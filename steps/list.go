package steps

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"strconv"
	"strings"

	gherkin "github.com/cucumber/gherkin/go/v26"
	messages "github.com/cucumber/messages/go/v21"
	"github.com/oauthconf/oauthconf/features"
)

// Planned is one scenario as verify --list shows it: whether it would run
// for a profile, at which level, and if not why (decide and the capability
// table). A scenario listed to run may still turn out not applicable or not
// tested at run time (a step's own errSkip, a failed precondition).
type Planned struct {
	Feature string
	URI     string
	Line    int
	Name    string
	Rule    string
	Level   string
	Tags    []string
	// Reason is why the scenario would be skipped ("" = it would run).
	Reason string
}

// List returns what a run with o would do, scenario by scenario, without
// sending a request: o.Tags selects, decide gives the level and the
// profile's reasons to skip, then the capability steps (the profile's
// grants, resources and credentials) theirs.
func List(o Options) ([]Planned, error) {
	if o.Profile == nil {
		return nil, fmt.Errorf("steps: Options.Profile is required")
	}
	if err := ValidateTags(o.Tags); err != nil {
		return nil, err
	}
	if o.Features == nil {
		o.Features = features.FS
	}
	pickles, lines, err := compileFeatures(o.Features)
	if err != nil {
		return nil, err
	}
	names, err := featureNames(o.Features)
	if err != nil {
		return nil, err
	}
	t := &target{opts: o, p: o.Profile, creds: o.Credentials}
	var out []Planned
	for _, pk := range pickles {
		tags := make([]string, 0, len(pk.Tags))
		for _, tg := range pk.Tags {
			tags = append(tags, tg.Name)
		}
		if !matchTags(o.Tags, tags) {
			continue
		}
		p := Planned{Feature: names[pk.Uri], URI: pk.Uri, Line: lines[astKey(pk.Uri, pk.AstNodeIds[0])], Name: pk.Name, Rule: ruleOf(tags), Tags: tags}
		p.Level, p.Reason = decide(o.Profile, o, tags, stepGrants(pk))
		if p.Reason == "" {
			p.Reason = capabilityReason(t, pk)
		}
		out = append(out, p)
	}
	return out, nil
}

// capabilityReason is the reason of the first capability step of pk that
// the profile does not meet ("" if none).
func capabilityReason(t *target, pk *messages.Pickle) string {
	for _, st := range pk.Steps {
		for _, c := range capabilities {
			m := regexp.MustCompile(c.pattern).FindStringSubmatch(st.Text)
			if m == nil {
				continue
			}
			arg := ""
			if len(m) > 1 {
				arg = m[1]
			}
			if !c.has(t, arg) {
				return c.why(t, arg)
			}
		}
	}
	return ""
}

// compileFeatures parses every .feature file of fsys into pickles (one per
// scenario or example row) and the line of each scenario's AST node, by
// astKey (each file numbers its nodes from 0).
func compileFeatures(fsys fs.FS) ([]*messages.Pickle, map[string]int, error) {
	var out []*messages.Pickle
	lines := map[string]int{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".feature") {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		ids := (&messages.Incrementing{}).NewId
		doc, err := gherkin.ParseGherkinDocument(bytes.NewReader(data), ids)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		doc.Uri = p
		if doc.Feature != nil {
			for _, ch := range doc.Feature.Children {
				if ch.Scenario != nil {
					lines[astKey(p, ch.Scenario.Id)] = int(ch.Scenario.Location.Line)
				}
			}
		}
		out = append(out, gherkin.Pickles(*doc, p, ids)...)
		return nil
	})
	return out, lines, err
}

// astKey names the AST node id of the feature file uri.
func astKey(uri, id string) string { return uri + "#" + id }

// matchTags evaluates a godog tag expression (ValidateTags' syntax: terms
// joined by &&, each a ","-joined list of @tag or ~@tag) against tags.
func matchTags(expr string, tags []string) bool {
	if strings.TrimSpace(expr) == "" {
		return true
	}
	has := map[string]bool{}
	for _, t := range tags {
		has[strings.TrimPrefix(t, "@")] = true
	}
	for _, and := range strings.Split(expr, "&&") {
		ok := false
		for _, or := range strings.Split(and, ",") {
			tok := strings.TrimSpace(or)
			neg := strings.HasPrefix(tok, "~")
			name := strings.TrimPrefix(strings.TrimPrefix(tok, "~"), "@")
			if has[name] != neg {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// WriteList writes the plan of one profile: one line per scenario (run or
// skip, level, rule tag, file:line, name, and why it would be skipped), then
// the counts.
func WriteList(w io.Writer, profileName string, plan []Planned) error {
	var b strings.Builder
	run := 0
	for _, p := range plan {
		mark := "run "
		why := ""
		if p.Reason != "" {
			mark, why = "skip", " — "+p.Reason
		} else {
			run++
		}
		fmt.Fprintf(&b, "  %s [%s] %-6s @%s  %s:%s  %s / %s%s\n", mark, profileName, p.Level, p.Rule,
			featureFile(p.URI), strconv.Itoa(p.Line), p.Feature, p.Name, why)
	}
	fmt.Fprintf(&b, "  [%s] %d scenarios: %d would run, %d would be skipped (no request was sent)\n", profileName, len(plan), run, len(plan)-run)
	_, err := io.WriteString(w, b.String())
	return err
}
