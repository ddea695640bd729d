package steps

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/oauthconf/oauthconf/features"
	"github.com/oauthconf/oauthconf/internal/outputs"
	"go.yaml.in/yaml/v3"
)

// Expected failures (verify --expected-failures FILE), modelled on the OpenID
// Foundation conformance suite's expected-failures list: a YAML list of
// entries, each naming a requirement tag (optionally one scenario and one
// profile), why its failure is expected, and optionally the last day the
// entry holds:
//
//	- rule: rfc6749-3.2.1-wrong-secret  # requirement tag (docs/requirements.md), @ optional
//	  scenario: A wrong client secret is refused   # optional: one scenario's name
//	  profile: shopware            # optional: one profile
//	  reason: VENDOR-123, fixed in 6.6
//	  expires: 2027-03-31          # optional: the entry holds through that day (UTC)
//
// ApplyExpected marks what each entry expects after the run: an expected
// failure does not gate; an expected failure that passed is reported and
// gates under --strict; an expired entry's failures gate again.

// Expectation is the entry that matched one failure.
type Expectation = outputs.Expectation

// ExpectedFailure is one entry and, after ApplyExpected, its outcome.
type ExpectedFailure = outputs.ExpectedFailure

// AbortExpected is the abort kind of a bad --expected-failures file.
const AbortExpected = "expected_failures"

// ExpectedFailures is a parsed expected-failures file.
type ExpectedFailures struct {
	// File is the file's name, as given.
	File    string
	Entries []ExpectedFailure
}

// expectedKeys are the keys an entry may have.
var expectedKeys = []string{"rule", "scenario", "profile", "reason", "expires"}

// ReadExpectedFailures reads and checks an expected-failures file: every
// rule must be a tag of the embedded features or a finding's rule. Its
// errors are *AbortError (kind AbortExpected) naming the line.
func ReadExpectedFailures(path string) (*ExpectedFailures, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &AbortError{Kind: AbortExpected, Err: fmt.Errorf("--expected-failures: %w", err)}
	}
	known, err := KnownRules(features.FS)
	if err != nil {
		return nil, &AbortError{Kind: AbortSetup, Err: err}
	}
	ef, err := ParseExpectedFailures(path, data, known)
	if err != nil {
		return nil, &AbortError{Kind: AbortExpected, Err: err}
	}
	return ef, nil
}

// KnownRules are the requirement tags (without @) an expected-failures entry
// may name: the features' tags and the rules findings are raised for.
func KnownRules(fsys fs.FS) (map[string]bool, error) {
	tags, err := FeatureTags(fsys)
	if err != nil {
		return nil, fmt.Errorf("reading the feature files: %w", err)
	}
	tags[statusRule] = true
	return tags, nil
}

// ParseExpectedFailures decodes an expected-failures file named name; its
// errors start with "name:line:".
func ParseExpectedFailures(name string, data []byte, known map[string]bool) (*ExpectedFailures, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	ef := &ExpectedFailures{File: name}
	if len(doc.Content) == 0 {
		return ef, nil
	}
	list := doc.Content[0]
	if list.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s:%d: want a list of entries (- rule: …, reason: …)", name, list.Line)
	}
	for _, n := range list.Content {
		e, err := parseExpectedEntry(n, known)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, n.Line, err)
		}
		ef.Entries = append(ef.Entries, e)
	}
	return ef, nil
}

// parseExpectedEntry decodes one entry (a mapping node).
func parseExpectedEntry(n *yaml.Node, known map[string]bool) (ExpectedFailure, error) {
	e := ExpectedFailure{Line: n.Line}
	if n.Kind != yaml.MappingNode {
		return e, errors.New("an entry is a mapping (rule:, reason:, optional scenario:, profile:, expires:)")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if v.Kind != yaml.ScalarNode {
			return e, fmt.Errorf("line %d: %s must be a single value", v.Line, k.Value)
		}
		switch k.Value {
		case "rule":
			e.Rule = strings.TrimPrefix(strings.TrimSpace(v.Value), "@")
		case "scenario":
			e.Scenario = v.Value
		case "profile":
			e.Profile = v.Value
		case "reason":
			e.Reason = strings.TrimSpace(v.Value)
		case "expires":
			if _, err := time.Parse(time.DateOnly, v.Value); err != nil {
				return e, fmt.Errorf("line %d: expires %q is not a date (YYYY-MM-DD)", v.Line, v.Value)
			}
			e.Expires = v.Value
		default:
			return e, fmt.Errorf("line %d: unknown key %q (want %s)", k.Line, k.Value, strings.Join(expectedKeys, ", "))
		}
	}
	switch {
	case e.Rule == "":
		return e, errors.New("the entry names no rule (rule: a requirement tag of docs/requirements.md)")
	case !known[e.Rule]:
		return e, fmt.Errorf("unknown requirement tag @%s (the tags are listed in docs/requirements.md)", e.Rule)
	case e.Reason == "":
		return e, fmt.Errorf("the entry for @%s gives no reason (reason: why the failure is expected, a ticket)", e.Rule)
	}
	return e, nil
}

// expired reports whether an entry expiring on day (YYYY-MM-DD, "" = never)
// has expired at now: it holds through that whole day, UTC.
func expired(day string, now time.Time) bool {
	if day == "" {
		return false
	}
	d, err := time.Parse(time.DateOnly, day)
	return err == nil && !now.Before(d.AddDate(0, 0, 1))
}

// ApplyExpected matches ef's entries against res after the run (now decides
// expiry): each failed scenario and root cause an entry names gets its
// Expectation, and res.Expected lists every entry with its outcome. A nil ef
// changes nothing.
func ApplyExpected(res *Result, ef *ExpectedFailures, now time.Time) {
	if ef == nil {
		return
	}
	res.ExpectedFile = ef.File
	res.Expected = make([]ExpectedFailure, 0, len(ef.Entries))
	for _, e := range ef.Entries {
		res.Expected = append(res.Expected, applyEntry(res, e, now))
	}
	for _, p := range res.Profiles {
		markRootCauses(p)
	}
}

// applyEntry matches one entry against every profile of res.
func applyEntry(res *Result, e ExpectedFailure, now time.Time) ExpectedFailure {
	exp := &Expectation{Reason: e.Reason, Expires: e.Expires, Expired: expired(e.Expires, now), Line: e.Line}
	var failed, passed, gates bool
	for _, p := range res.Profiles {
		if e.Profile != "" && e.Profile != p.Name {
			continue
		}
		for _, s := range p.Scenarios {
			if !slices.Contains(s.Tags, "@"+e.Rule) || (e.Scenario != "" && e.Scenario != s.Name) {
				continue
			}
			switch s.Status {
			case StatusFailed:
				failed = true
				gates = gates || LevelGates(s.Level, res.Strict)
				if s.Expected == nil {
					s.Expected = exp
				}
				e.Scenarios = append(e.Scenarios, s.ID())
			case StatusPassed:
				passed = true
				e.Scenarios = append(e.Scenarios, s.ID())
			}
		}
		f, g, ran := applyFindings(p, e, exp, res.Strict)
		failed, gates, passed = failed || f, gates || g, passed || ran
	}
	return entryOutcome(e, exp, failed, passed, gates, res.Strict)
}

// applyFindings marks the findings of p that e names. ran says e names a
// finding rule and p ran scenarios without raising it.
func applyFindings(p *ProfileResult, e ExpectedFailure, exp *Expectation, strict bool) (failed, gates, ran bool) {
	for i := range p.RootCauses {
		rc := &p.RootCauses[i]
		if !rc.Finding || rc.Rule != e.Rule || (e.Scenario != "" && !namesScenario(rc.Scenarios, e.Scenario)) {
			continue
		}
		failed = true
		gates = gates || LevelGates(rc.Level, strict)
		if rc.Expected == nil {
			rc.Expected = exp
		}
	}
	if !failed && e.Rule == statusRule {
		ran = p.Must.Judged()+p.Should.Judged()+p.May.Judged() > 0
	}
	return failed, gates, ran
}

// namesScenario reports whether one of ids ("<feature> / <scenario>") is the
// scenario name.
func namesScenario(ids []string, name string) bool {
	for _, id := range ids {
		if strings.HasSuffix(id, " / "+name) {
			return true
		}
	}
	return false
}

// entryOutcome words what became of an entry.
func entryOutcome(e ExpectedFailure, exp *Expectation, failed, passed, gates, strict bool) ExpectedFailure {
	switch {
	case failed && exp.Expired:
		e.Outcome, e.Gating = outputs.ExpectedExpired, gates
		e.Message = fmt.Sprintf("expected failure expired on %s: %s (it gates again: fix it or renew the entry)", e.Expires, e.Reason)
	case failed:
		e.Outcome = outputs.ExpectedFailed
		e.Message = "expected failure: " + e.Reason
	case passed:
		e.Outcome, e.Gating = outputs.ExpectedPassed, strict
		e.Message = "expected to fail but passed: remove the entry (" + e.Reason + ")"
	default:
		e.Outcome = outputs.ExpectedNotRun
		e.Message = "no scenario it names ran (skipped, not tested or not selected): nothing to expect"
	}
	return e
}

// markRootCauses gives a failure root cause the expectation of its
// scenarios when every one has one (an expired one first).
func markRootCauses(p *ProfileResult) {
	byID := map[string]*ScenarioResult{}
	for _, s := range p.Scenarios {
		byID[s.Feature+" / "+s.Name] = s
	}
	for i := range p.RootCauses {
		rc := &p.RootCauses[i]
		if rc.Finding || rc.Expected != nil {
			continue
		}
		var exp *Expectation
		for _, id := range rc.Scenarios {
			s := byID[id]
			if s == nil || s.Expected == nil {
				exp = nil
				break
			}
			if exp == nil || s.Expected.Expired {
				exp = s.Expected
			}
		}
		rc.Expected = exp
	}
}

// expectedNote words an expectation for the reports ("" for none).
func expectedNote(e *Expectation) string {
	switch {
	case e == nil:
		return ""
	case e.Expired:
		return fmt.Sprintf("expected failure expired on %s: %s", e.Expires, e.Reason)
	}
	return "expected failure: " + e.Reason
}
