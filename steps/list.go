package steps

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"

	gherkin "github.com/cucumber/gherkin/go/v26"
	messages "github.com/cucumber/messages/go/v21"
	"github.com/oauthconf/oauthconf/features"
)

// Planned is one scenario as verify --list shows it: whether it would run
// for a profile, at which level, and if not why (decide and the capability
// table). A scenario listed to run may still turn out not applicable (May
// says why, where the table knows) or not tested at run time (a failed
// precondition).
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
	// May is why a scenario that would run may still be not applicable at
	// run time, depending on what the server answers ("" = nothing known).
	May string
}

// List returns what a run with o would do, scenario by scenario, without
// sending a request: o.Tags selects, decide gives the level and the
// profile's reasons to skip, then the capability steps (the profile's
// grants, resources and credentials) theirs; without a credential the
// profile requires (Plan.ListOnly) a scenario that would run is listed as
// needing it.
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
	pickles, err := compileFeatures(o.Features)
	if err != nil {
		return nil, err
	}
	names, err := featureNames(o.Features)
	if err != nil {
		return nil, err
	}
	t := &target{opts: o, p: o.Profile, creds: o.Credentials}
	missing := missingCredentials(o.Profile, o.Credentials)
	var out []Planned
	for _, c := range pickles {
		pk := c.pickle
		tags := make([]string, 0, len(pk.Tags))
		for _, tg := range pk.Tags {
			tags = append(tags, tg.Name)
		}
		if !matchTags(o.Tags, tags) {
			continue
		}
		p := Planned{Feature: names[pk.Uri], URI: pk.Uri, Line: c.line, Name: pk.Name, Rule: ruleOf(tags), Tags: tags}
		p.Level, p.Reason = decide(o.Profile, o, tags, stepGrants(pk))
		for _, st := range pk.Steps {
			if p.Reason == "" {
				p.Reason = guardReason(t, st.Text)
			}
			if p.May == "" {
				p.May = mayNotApply(t, st.Text)
			}
		}
		if p.Reason == "" && len(missing) > 0 {
			p.Reason = needsCredentials(missing)
		}
		if p.Reason != "" {
			p.May = ""
		}
		out = append(out, p)
	}
	return out, nil
}

// needsCredentials is the --list reason of a scenario a run would not start
// without the missing credentials.
func needsCredentials(missing []string) string {
	if len(missing) == 1 {
		return "needs credential " + missing[0] + " (not given: a run would not start without it)"
	}
	return "needs credentials " + strings.Join(missing, ", ") + " (not given: a run would not start without them)"
}

// compiled is one pickle (a scenario, or one example row of an outline)
// and its line in its feature file: the scenario's, or the example row's
// (as godog's cucumber JSON and junit.xml give it).
type compiled struct {
	pickle *messages.Pickle
	line   int
}

// compileFeatures parses every .feature file of fsys into pickles (one per
// scenario or example row), each with its line.
func compileFeatures(fsys fs.FS) ([]compiled, error) {
	var out []compiled
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
		lines := astLines(doc)
		for _, pk := range gherkin.Pickles(*doc, p, ids) {
			line := lines[pk.AstNodeIds[0]]
			if len(pk.AstNodeIds) > 1 && lines[pk.AstNodeIds[1]] > 0 {
				line = lines[pk.AstNodeIds[1]]
			}
			out = append(out, compiled{pickle: pk, line: line})
		}
		return nil
	})
	return out, err
}

// astLines maps the id of every scenario and example row of one feature
// file (in rules too) to its line.
func astLines(doc *messages.GherkinDocument) map[string]int {
	lines := map[string]int{}
	if doc.Feature == nil {
		return lines
	}
	add := func(sc *messages.Scenario) {
		if sc == nil {
			return
		}
		lines[sc.Id] = int(sc.Location.Line)
		for _, ex := range sc.Examples {
			for _, row := range ex.TableBody {
				lines[row.Id] = int(row.Location.Line)
			}
		}
	}
	for _, ch := range doc.Feature.Children {
		add(ch.Scenario)
		if ch.Rule != nil {
			for _, rc := range ch.Rule.Children {
				add(rc.Scenario)
			}
		}
	}
	return lines
}

// lineKey identifies a pickle across two parses of the same files: its
// file, name and step texts (an outline's rows differ in their steps).
func lineKey(uri, name string, steps []*messages.PickleStep) string {
	var b strings.Builder
	b.WriteString(strings.TrimPrefix(uri, "./") + "\x00" + name)
	for _, st := range steps {
		b.WriteString("\x00" + st.Text)
	}
	return b.String()
}

// scenarioLines maps each pickle of fsys (lineKey) to its line, for the
// run's reports; two identical pickles share the first one's line.
func scenarioLines(fsys fs.FS) (map[string]int, error) {
	pickles, err := compileFeatures(fsys)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, c := range pickles {
		k := lineKey(c.pickle.Uri, c.pickle.Name, c.pickle.Steps)
		if _, ok := out[k]; !ok {
			out[k] = c.line
		}
	}
	return out, nil
}

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
		switch {
		case p.Reason != "":
			mark, why = "skip", " — "+p.Reason
		case p.May != "":
			why = " — run (may be not applicable at run time: " + p.May + ")"
			run++
		default:
			run++
		}
		fmt.Fprintf(&b, "  %s [%s] %-6s @%s  %s:%s  %s / %s%s\n", mark, profileName, p.Level, p.Rule,
			featureFile(p.URI), strconv.Itoa(p.Line), p.Feature, p.Name, why)
	}
	fmt.Fprintf(&b, "  [%s] %d scenarios: %d would run, %d would be skipped (no request was sent)\n", profileName, len(plan), run, len(plan)-run)
	_, err := io.WriteString(w, b.String())
	return err
}
