package reports

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/oauthconf/oauthconf/internal/outputs"
)

// Profile is one profile's conformance run.
type Profile struct {
	Name     string        // profile name (directory name under conformance/)
	Target   string        // base URL, from summary.json ("" when unknown)
	Duration time.Duration // from summary.json (0 when unknown)
	Features []Feature     // in file order
	// Declared holds summary.json's per-level counts; nil without summary.json.
	// They are the effective levels (after the profile's overrides, which the
	// cucumber JSON does not record), so the MUST/SHOULD counts and the headline
	// use them when present.
	Declared *DeclaredCounts
	// RootCauses are summary.json's failures and findings grouped by cause,
	// gating ones first (causes redacted); nil without them.
	RootCauses []outputs.RootCause
	// XFail counts, per level, the failed scenarios an unexpired
	// --expected-failures entry expects (they do not gate), from summary.json.
	XFail map[string]int
}

// DeclaredCounts are the per-level counts summary.json declares for a profile.
type DeclaredCounts struct {
	Must, Should Counts
	// May counts the @may scenarios (optional features, never gating).
	May Counts
}

// Feature is one feature file's scenarios in one profile.
type Feature struct {
	Name      string
	URI       string
	Scenarios []Scenario
}

// Scenario is one executed scenario (or scenario outline example).
type Scenario struct {
	Name         string
	Line         int
	Tags         []string // every tag, deduplicated, in order, with the leading "@"
	Requirements []string // the requirement tags (all tags but the level, @slow and @grant-…)
	Level        string   // outputs.LevelShould if tagged @should, outputs.LevelMay if @may, else outputs.LevelMust (as the runner decides before profile overrides)
	// Status is the judged outcome: summary.json's when it lists the scenario
	// (passed, failed, skipped = not applicable, not_tested, error), else
	// godog's (passed, failed, skipped).
	Status     string
	SkipReason string // why it was skipped (redacted)
	// Message is summary.json's message for the scenario (the failure, why it
	// was not tested, not applicable, or the harness error), redacted.
	Message  string
	Steps    []Step
	Duration time.Duration // sum of the step durations
	// Expected is the --expected-failures entry that expects this failure
	// (summary.json's, reason redacted); nil for none.
	Expected *outputs.Expectation
}

// Step is one step of a scenario.
type Step struct {
	Keyword   string
	Name      string
	Status    string // godog's raw status: passed, failed, skipped, undefined, pending, ambiguous
	Error     string // error_message, redacted
	Duration  time.Duration
	Exchanges []Attachment // text embeddings (HTTP exchanges), redacted
}

// Attachment is one text embedding of a step.
type Attachment struct {
	Name string
	Text string // decoded and redacted
}

// Counts are pass/fail/skip counts (summary.json's, and the matrix's).
type Counts = outputs.Counts

func addStatus(c *Counts, status string) {
	switch status {
	case outputs.StatusPassed:
		c.Passed++
	case outputs.StatusFailed:
		c.Failed++
	case outputs.StatusNotTested:
		c.NotTested++
	case outputs.StatusError:
		c.Errors++
	default:
		c.Skipped++
	}
}

// StatusLabel is how the report names the status: passed, failed, not
// tested, not applicable (skipped) or harness error.
func StatusLabel(status string) string {
	switch status {
	case outputs.StatusSkipped:
		return "not applicable"
	case outputs.StatusNotTested:
		return "not tested"
	case outputs.StatusError:
		return "harness error"
	}
	return status
}

// Why is the scenario's reason, worded by outcome: "not tested: why", "not
// applicable: why", "harness error: why"; "" for passed and failed ones
// (a failure's evidence is in its steps).
func (s Scenario) Why() string {
	why := s.Message
	if s.Status == outputs.StatusSkipped && why == "" {
		why = s.SkipReason
	}
	switch s.Status {
	case outputs.StatusPassed, outputs.StatusFailed:
		return ""
	case outputs.StatusSkipped, outputs.StatusNotTested, outputs.StatusError:
		if why == "" {
			return StatusLabel(s.Status)
		}
		return StatusLabel(s.Status) + ": " + why
	}
	return why
}

// Counts returns the scenario counts of the feature, for the given level ("" = all).
func (f Feature) Counts(level string) Counts {
	var c Counts
	for _, s := range f.Scenarios {
		if level == "" || s.Level == level {
			addStatus(&c, s.Status)
		}
	}
	return c
}

// Counts returns the profile's scenario counts for the given level ("" = all).
// The per-level counts come from summary.json when it was read (it knows the
// profile's level overrides), else from the scenarios' @must/@should tags; the
// total comes from the cucumber JSON when it was read, else from summary.json.
func (p Profile) Counts(level string) Counts {
	if p.Declared != nil && (level != "" || len(p.Features) == 0) {
		switch level {
		case outputs.LevelMust:
			return p.Declared.Must
		case outputs.LevelShould:
			return p.Declared.Should
		case outputs.LevelMay:
			return p.Declared.May
		default:
			return p.Declared.Must.Plus(p.Declared.Should).Plus(p.Declared.May)
		}
	}
	var c Counts
	for _, f := range p.Features {
		c = c.Plus(f.Counts(level))
	}
	return c
}

// Feature returns the profile's feature with that name, if any.
func (p Profile) Feature(name string) (Feature, bool) {
	for _, f := range p.Features {
		if f.Name == name {
			return f, true
		}
	}
	return Feature{}, false
}

// Headline is the profile's headline sentence, e.g. "12 of 14 MUST checks
// pass for profile ucommerce (2 failed, 3 not tested, 61 not applicable)":
// N of the judged checks (passed and failed, outputs.Counts.Headline); the
// others are said apart, as every tally of the report words them.
func (p Profile) Headline() string {
	c := p.Counts(outputs.LevelMust)
	s := c.Headline(outputs.LevelMust) + " for profile " + p.Name
	if b := c.Breakdown(); b != "" {
		s += " " + b
	}
	return s
}

// maxInputFile bounds every file read.
const maxInputFile = 256 << 20

// readBounded reads a whole file, refusing files above limit bytes.
func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("file is larger than the %d-byte limit", limit)
	}
	return b, nil
}

// parseCucumber parses godog cucumber JSON. On a syntax error (e.g. a truncated file)
// it returns the features that decoded completely before the error, with the error.
func parseCucumber(data []byte) ([]Feature, error) {
	cfs, err := outputs.ParseCucumber(data)
	var feats []Feature
	for _, cf := range cfs {
		feats = append(feats, convertFeature(cf))
	}
	return feats, err
}

func convertFeature(cf outputs.CucumberFeature) Feature {
	f := Feature{Name: cf.Name, URI: cf.URI}
	if f.Name == "" {
		f.Name = cf.URI
	}
	for _, e := range cf.Elements {
		if e.Type == "background" {
			continue
		}
		f.Scenarios = append(f.Scenarios, convertScenario(cf, e))
	}
	return f
}

func convertScenario(cf outputs.CucumberFeature, e outputs.CucumberElement) Scenario {
	s := Scenario{Name: e.Name, Line: e.Line, Level: outputs.LevelMust}
	seen := map[string]bool{}
	// godog already prepends the feature tags; other writers may not.
	for _, t := range append(append([]outputs.CucumberTag{}, cf.Tags...), e.Tags...) {
		if t.Name == "" || seen[t.Name] {
			continue
		}
		seen[t.Name] = true
		s.Tags = append(s.Tags, t.Name)
		switch n := strings.ToLower(t.Name); {
		case n == "@must":
		case n == "@should":
			s.Level = outputs.LevelShould
		case n == "@may":
			s.Level = outputs.LevelMay
		case n == "@slow", strings.HasPrefix(n, "@grant-"):
		default:
			s.Requirements = append(s.Requirements, t.Name)
		}
	}
	failed, skipped := false, false
	for _, cs := range e.Steps {
		st := Step{
			Keyword: strings.TrimSpace(cs.Keyword),
			Name:    Redact(cs.Name),
			Status:  cs.Result.Status,
			Error:   Redact(cs.Result.Error),
		}
		if cs.Result.Duration != nil {
			st.Duration = time.Duration(*cs.Result.Duration)
			s.Duration += st.Duration
		}
		for _, em := range cs.Embeddings {
			if !strings.HasPrefix(em.MimeType, "text/") && em.MimeType != "application/json" && em.MimeType != "" {
				continue
			}
			text := em.Text()
			if em.Name == outputs.SkipReasonAttachment { // godog's raw output: verify moves it to error_message
				if st.Error == "" {
					st.Error = Redact(text)
				}
				continue
			}
			st.Exchanges = append(st.Exchanges, Attachment{Name: em.Name, Text: Redact(text)})
		}
		switch cs.Result.Status {
		case "passed":
		case "skipped":
			skipped = true
			if s.SkipReason == "" && st.Error != "" {
				s.SkipReason = st.Error
			}
		default: // failed, undefined, pending, ambiguous: strict mode fails them
			failed = true
			if st.Error == "" && cs.Result.Status != "failed" {
				st.Error = "step is " + cs.Result.Status
			}
		}
		s.Steps = append(s.Steps, st)
	}
	switch {
	case failed:
		s.Status = outputs.StatusFailed
		s.SkipReason = ""
	case skipped:
		s.Status = outputs.StatusSkipped
	default:
		s.Status = outputs.StatusPassed
	}
	return s
}

// profileSet collects the profiles of a run directory by name, in the order
// they were found.
type profileSet struct {
	byName map[string]*Profile
	order  []string
}

// get returns the profile of that name, adding it if new.
func (ps *profileSet) get(name string) *Profile {
	if p, ok := ps.byName[name]; ok {
		return p
	}
	ps.byName[name] = &Profile{Name: name}
	ps.order = append(ps.order, name)
	return ps.byName[name]
}

// keepOnly drops the profiles not listed, returning their names.
func (ps *profileSet) keepOnly(listed map[string]bool) []string {
	var dropped []string
	kept := ps.order[:0]
	for _, n := range ps.order {
		if listed[n] {
			kept = append(kept, n)
			continue
		}
		delete(ps.byName, n)
		dropped = append(dropped, n)
	}
	ps.order = kept
	return dropped
}

// readConformance reads DIR/conformance (or the merged DIR/cucumber.json).
func (b *builder) readConformance() {
	ps := &profileSet{byName: map[string]*Profile{}}
	b.readProfileDirs(ps)
	if len(ps.order) == 0 { // the merged file, only when there are no per-profile files
		b.readMergedCucumber(ps)
	}
	b.readSummary(ps)
	sort.Strings(ps.order)
	for _, n := range ps.order {
		b.run.Profiles = append(b.run.Profiles, *ps.byName[n])
	}
}

// readProfileDirs reads DIR/conformance/<profile>/cucumber.json.
func (b *builder) readProfileDirs(ps *profileSet) {
	confDir := filepath.Join(b.dir, "conformance")
	entries, err := os.ReadDir(confDir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		b.problem(confDir, err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		path := filepath.Join(confDir, e.Name(), "cucumber.json")
		data, err := readBounded(path, maxInputFile)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		b.attempted()
		if err != nil {
			b.problem(path, err)
			ps.get(e.Name())
			continue
		}
		ps.get(e.Name()).Features = b.parseCucumberFile(path, data)
	}
}

// parseCucumberFile parses one cucumber JSON file, counting it read when
// anything of it could be.
func (b *builder) parseCucumberFile(path string, data []byte) []Feature {
	feats, err := parseCucumber(data)
	if err != nil {
		b.problem(path, err)
	}
	if err == nil || len(feats) > 0 {
		b.read()
	}
	return feats
}

// readMergedCucumber reads DIR/cucumber.json, whose feature URIs start with
// "<profile>/".
func (b *builder) readMergedCucumber(ps *profileSet) {
	path := filepath.Join(b.dir, "cucumber.json")
	data, err := readBounded(path, maxInputFile)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return
	case err != nil:
		b.attempted()
		b.problem(path, err)
		return
	}
	b.attempted()
	for _, f := range b.parseCucumberFile(path, data) {
		name, uri, ok := strings.Cut(f.URI, "/")
		if !ok {
			name, uri = "default", f.URI
		}
		f.URI = uri
		p := ps.get(name)
		p.Features = append(p.Features, f)
	}
}

// readSummary reads conformance/summary.json: how verify ended, and the
// targets, durations and counts of its profiles (the counts also stand for
// profiles without cucumber JSON). It is the index of the run verify last
// wrote here: a profile directory it does not list is left over from an
// earlier run (verify --profile shopware after make run, or a run that
// stopped with exit 2) and is left out, with a notice.
func (b *builder) readSummary(ps *profileSet) {
	path := filepath.Join(b.dir, filepath.FromSlash(outputs.SummaryPath))
	data, err := readBounded(path, 16<<20)
	if errors.Is(err, os.ErrNotExist) {
		return
	}
	b.attempted()
	if err != nil {
		b.problem(path, err)
		return
	}
	sum, err := outputs.ParseSummary(data)
	if err != nil {
		b.problem(path, err)
		return
	}
	b.read()
	// verify already redacts the message; a hand-made or older file may not have.
	b.run.Verify = &VerifyEnd{ExitCode: sum.ExitCode, Interrupted: sum.Interrupted, Stopped: Redact(sum.Stopped), Error: Redact(sum.Error), ErrorKind: sum.ErrorKind}
	b.run.Info = sum.RunInfo
	b.run.Info.Label = Redact(sum.Label)
	b.run.ExpectedFile, b.run.Expected = Redact(sum.ExpectedFailuresFile), redactedEntries(sum.ExpectedFailures)
	listed := map[string]bool{}
	for _, sp := range sum.Profiles {
		listed[sp.Name] = true
	}
	for _, n := range ps.keepOnly(listed) {
		b.run.Notices = append(b.run.Notices, fmt.Sprintf(
			"conformance/%s/ is from an earlier run: conformance/summary.json does not list profile %s, so it is left out", n, n))
	}
	for _, sp := range sum.Profiles {
		if sp.Name == "" {
			continue
		}
		p := ps.get(sp.Name)
		p.Target = sp.Target
		p.Duration = time.Duration(sp.DurationSeconds * float64(time.Second))
		p.Declared = &DeclaredCounts{Must: sp.Must, Should: sp.Should, May: sp.May}
		p.RootCauses = redactCauses(sp.RootCauses)
		p.XFail = xfails(sp.Scenarios)
		applyOutcomes(p, sp.Scenarios)
	}
}

// redactCauses copies the root causes with their causes redacted.
func redactCauses(rcs []outputs.RootCause) []outputs.RootCause {
	var out []outputs.RootCause
	for _, rc := range rcs {
		rc.Cause = Redact(rc.Cause)
		rc.Scenarios = append([]string{}, rc.Scenarios...)
		rc.Expected = redactedExpectation(rc.Expected)
		out = append(out, rc)
	}
	return out
}

// xfails counts the failed scenarios of each level that an unexpired
// expected-failures entry expects.
func xfails(outs []outputs.ScenarioOutcome) map[string]int {
	var n map[string]int // nil when there are none
	for _, o := range outs {
		if o.Status == outputs.StatusFailed && o.Expected.Holds() {
			if n == nil {
				n = map[string]int{}
			}
			n[o.Level]++
		}
	}
	return n
}

// Gating is the failed scenarios of level that gate: those no unexpired
// expected-failures entry expects.
// Tally words the counts of level as every output does, the failures an
// unexpired expected-failures entry expects counted apart
// (outputs.Counts.TallyExpected).
func (p Profile) Tally(level string) string { return p.Counts(level).TallyExpected(p.XFail[level]) }

func (p Profile) Gating(level string) int { return p.Counts(level).Failed - p.XFail[level] }

// knownStatus lists the statuses summary.json may give a scenario.
var knownStatus = map[string]bool{outputs.StatusPassed: true, outputs.StatusFailed: true, outputs.StatusSkipped: true,
	outputs.StatusNotTested: true, outputs.StatusError: true}

// applyOutcomes sets each scenario's status, message and effective level
// from summary.json's judged outcomes, matched by URI and name (outline
// examples sharing a name, in order). The cucumber JSON knows only godog's
// passed/failed/skipped: a failed control is "not tested", a harness bug an
// error.
func applyOutcomes(p *Profile, outs []outputs.ScenarioOutcome) {
	byKey := map[string][]outputs.ScenarioOutcome{}
	for _, o := range outs {
		if knownStatus[o.Status] {
			k := strings.TrimPrefix(o.URI, "./") + "\x00" + o.Name
			byKey[k] = append(byKey[k], o)
		}
	}
	for fi := range p.Features {
		f := &p.Features[fi]
		for si := range f.Scenarios {
			s := &f.Scenarios[si]
			k := strings.TrimPrefix(f.URI, "./") + "\x00" + s.Name
			q := byKey[k]
			if len(q) == 0 {
				continue
			}
			o := q[0]
			byKey[k] = q[1:]
			s.Status, s.Message = o.Status, Redact(o.Message)
			s.Expected = redactedExpectation(o.Expected)
			if o.Level != "" {
				s.Level = o.Level
			}
			if s.Status == outputs.StatusSkipped && s.SkipReason == "" {
				s.SkipReason = s.Message
			}
			if s.Status != outputs.StatusSkipped {
				s.SkipReason = ""
			}
		}
	}
}

// FeatureNames returns every feature name of every profile, sorted.
func (r *Run) FeatureNames() []string {
	seen := map[string]bool{}
	var names []string
	for _, p := range r.Profiles {
		for _, f := range p.Features {
			if !seen[f.Name] {
				seen[f.Name] = true
				names = append(names, f.Name)
			}
		}
	}
	sort.Strings(names)
	return names
}
