package steps

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/oauthconf/oauthconf/internal/outputs"
	"github.com/oauthconf/oauthconf/profile"
)

// Status is a scenario's outcome.
type Status string

// Scenario outcomes.
const (
	StatusPassed  Status = "passed"
	StatusFailed  Status = "failed"
	StatusSkipped Status = "skipped"
	// StatusError is a scenario the harness could not judge: a bug of the
	// suite (an "internal:" message), not a failure of the target.
	StatusError Status = "error"
	// StatusNotTested is a scenario whose precondition or control failed: the
	// rule was not tested. It counts neither as passed nor as failed.
	StatusNotTested Status = outputs.StatusNotTested
)

// Finding is a rule the target broke beside the one a scenario checks
// (which held): a refusal with the right error code and a status RFC 6749
// §5.2 does not name, say. Cause is worded the same in every scenario it
// shows in, so that it is reported once, as one root cause.
type Finding struct {
	Rule   string `json:"rule"`
	Level  string `json:"level"`
	Cause  string `json:"cause"`
	Detail string `json:"detail,omitempty"`
}

// ScenarioResult is one scenario's outcome against one profile.
type ScenarioResult struct {
	Profile string   `json:"profile"`
	Feature string   `json:"feature"`
	URI     string   `json:"uri"`
	Name    string   `json:"name"`
	Tags    []string `json:"tags"`
	// Level is must, should (after the profile's overrides).
	Level  string `json:"level"`
	Status Status `json:"status"`
	// Message is the failure or the skip reason.
	Message string `json:"message,omitempty"`
	// Transcript is the redacted HTTP exchange that proved a failure.
	Transcript string        `json:"transcript,omitempty"`
	Duration   time.Duration `json:"duration"`
	// Cause is the failure's root cause when several scenarios share it
	// ("" = the message itself).
	Cause string `json:"cause,omitempty"`
	// Findings are rules broken beside the scenario's own.
	Findings []Finding `json:"findings,omitempty"`
	// Line is the scenario's line in its feature file (0 = unknown).
	Line int `json:"line,omitempty"`
	// Expected is the --expected-failures entry that matched this failed
	// scenario (ApplyExpected); a failure it expects does not gate unless
	// the entry expired.
	Expected *Expectation `json:"expected,omitempty"`

	lastStep string
	started  time.Time
}

// ID names the scenario uniquely within a run: "<profile>: <feature> / <scenario>".
func (s *ScenarioResult) ID() string { return s.Profile + ": " + s.Feature + " / " + s.Name }

// Counts tallies scenarios of one level.
type Counts = outputs.Counts

// ProfileResult is the outcome of one profile's run.
type ProfileResult struct {
	Name     string        `json:"name"`
	Target   string        `json:"target"`
	Must     Counts        `json:"must"`
	Should   Counts        `json:"should"`
	Duration time.Duration `json:"-"`
	// May counts the @may scenarios: optional features, never gating.
	May Counts `json:"may"`
	// Started is when the profile's run began (Options.Now).
	Started   time.Time         `json:"-"`
	Scenarios []*ScenarioResult `json:"-"`
	// RootCauses group the failures and findings by cause, gating ones first.
	RootCauses []RootCause `json:"-"`

	cucumber []cukeFeature
}

// Result is the outcome of a run.
type Result struct {
	Profiles []*ProfileResult
	Strict   bool
	// Interrupted says the context ended before every scenario ran.
	Interrupted bool
	// Stopped says why a run that started stopped before every scenario ran
	// ("--max-time 15s reached: target … stopped answering", MarkNotReached);
	// "" otherwise. The reports record it: junit.xml as one errored test case.
	Stopped string
	// Expected are the --expected-failures entries and what became of each
	// (ApplyExpected); nil without a file.
	Expected []ExpectedFailure
	// ExpectedFile is the --expected-failures file's name, "" without one.
	ExpectedFile string
}

// RootCause is one cause of failure and the scenarios it shows in.
type RootCause = outputs.RootCause

// Failed reports whether a MUST scenario failed or a MUST finding was raised
// (or a SHOULD one, with Strict), or the harness could not judge a scenario
// (StatusError). Not tested and not applicable scenarios never fail a run,
// nor does a failed MAY (an optional feature absent or deviating), even
// with Strict.
//
// A failure that an unexpired --expected-failures entry expects does not
// gate (ApplyExpected); an entry that gates (an expected failure that passed,
// under Strict; an expired one) fails the run.
func (r Result) Failed() bool {
	for _, p := range r.Profiles {
		mustFailed := p.Must.Failed - p.expectedFailures(profile.LevelMust)
		shouldFailed := p.Should.Failed - p.expectedFailures(profile.LevelShould)
		if mustFailed > 0 || (r.Strict && shouldFailed > 0) || p.Must.Errors+p.Should.Errors+p.May.Errors > 0 {
			return true
		}
		for _, rc := range p.RootCauses {
			if rc.Finding && !rc.Expected.Holds() && LevelGates(rc.Level, r.Strict) {
				return true
			}
		}
	}
	for _, e := range r.Expected {
		if e.Gating {
			return true
		}
	}
	return false
}

// expectedFailures counts the failed scenarios of level that an unexpired
// expected-failures entry expects.
func (p *ProfileResult) expectedFailures(level string) int {
	n := 0
	for _, s := range p.Scenarios {
		if s.Status == StatusFailed && s.Level == level && s.Expected.Holds() {
			n++
		}
	}
	return n
}

// ExitCode is 0 when every MUST scenario passed, 1 otherwise (see Failed).
func (r Result) ExitCode() int {
	if r.Failed() {
		return 1
	}
	return 0
}

// Scenarios returns every scenario result of every profile.
func (r Result) Scenarios() []*ScenarioResult {
	var out []*ScenarioResult
	for _, p := range r.Profiles {
		out = append(out, p.Scenarios...)
	}
	return out
}

// result tallies the profile's outcome.
func (r *run) result() *ProfileResult {
	pr := &ProfileResult{Name: r.t.p.Name, Target: r.t.client.base.String(), Duration: time.Since(r.start), Started: r.started, cucumber: r.cucumber}
	r.t.rec.mu.Lock()
	scen := append([]*ScenarioResult(nil), r.t.rec.results...)
	r.t.rec.mu.Unlock()
	for _, s := range scen {
		if s.Status == "" { // never finished: interrupted
			s.Status, s.Message = StatusFailed, interruptedPrefix
		}
		if s.Status == StatusSkipped {
			s.Message = r.redact(s.Message)
		}
		count(pr, s)
	}
	sort.SliceStable(scen, func(i, j int) bool {
		if scen[i].URI != scen[j].URI {
			return scen[i].URI < scen[j].URI
		}
		return false
	})
	pr.Scenarios = scen
	pr.RootCauses = rootCauses(scen, r.t.p)
	return pr
}

// count adds s to its level's tally.
func count(pr *ProfileResult, s *ScenarioResult) {
	c := &pr.Must
	switch s.Level {
	case profile.LevelShould:
		c = &pr.Should
	case profile.LevelMay:
		c = &pr.May
	}
	switch s.Status {
	case StatusPassed:
		c.Passed++
	case StatusFailed:
		c.Failed++
	case StatusSkipped:
		c.Skipped++
	case StatusNotTested:
		c.NotTested++
	case StatusError:
		c.Errors++
	}
}

// rootCauses groups the failed scenarios and the findings by cause: one
// entry per (rule, cause), listing the scenarios it shows in, gating levels
// first, then by how many scenarios it explains. A finding's level is the
// profile's for its rule (requirements), MUST by default.
func rootCauses(scen []*ScenarioResult, p *profile.Profile) []RootCause {
	idx := map[[2]string]int{}
	var out []RootCause
	add := func(rule, level, cause string, finding bool, id string) {
		k := [2]string{rule, cause}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, RootCause{Rule: rule, Level: level, Cause: cause, Finding: finding})
		}
		if !slices.Contains(out[i].Scenarios, id) {
			out[i].Scenarios = append(out[i].Scenarios, id)
		}
	}
	for _, s := range scen {
		if s.Status == StatusFailed {
			cause := s.Cause
			if cause == "" {
				cause = s.Message
			}
			add(ruleOf(s.Tags), s.Level, cause, false, s.Feature+" / "+s.Name)
		}
		for _, f := range s.Findings {
			level := profile.LevelMust
			if l := p.Requirements[f.Rule]; l != "" {
				level = l
			}
			if level != profile.LevelOff {
				add(f.Rule, level, f.Cause, true, s.Feature+" / "+s.Name)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if levelRank(out[i].Level) != levelRank(out[j].Level) {
			return levelRank(out[i].Level) < levelRank(out[j].Level)
		}
		return len(out[i].Scenarios) > len(out[j].Scenarios)
	})
	return out
}

// ruleOf returns a scenario's rule tag (its first requirement tag), without @.
func ruleOf(tags []string) string {
	for _, t := range tags {
		switch {
		case t == "@must", t == "@should", t == "@may", t == "@slow", strings.HasPrefix(t, "@grant-"):
			continue
		}
		return strings.TrimPrefix(t, "@")
	}
	return ""
}

// WriteText writes the console report of res to w, concise by default: one
// line per root cause (gating first, expected failures marked), one line per
// harness error, each profile's tally, the expected-failures entries that
// need attention, and a final tally. With verbose also each failed scenario
// with its evidence (the HTTP transcript) and the skip and not-tested
// reasons, counted.
func WriteText(w io.Writer, res Result, verbose bool) error {
	var b strings.Builder
	for _, pr := range res.Profiles {
		writeProfileText(&b, pr, res.Strict, verbose)
	}
	writeExpectedText(&b, res)
	writeFinalTally(&b, res)
	_, err := io.WriteString(w, b.String())
	return err
}

// writeExpectedText lists the expected-failures entries that did not fail as
// expected (expired, passed, not run), and counts those that did.
func writeExpectedText(w *strings.Builder, res Result) {
	if res.ExpectedFile == "" {
		return
	}
	held := 0
	for _, e := range res.Expected {
		if e.Outcome == outputs.ExpectedFailed {
			held++
			continue
		}
		kind := "NOTE"
		if e.Gating {
			kind = "FAIL"
		} else if e.Outcome != outputs.ExpectedNotRun {
			kind = "WARN"
		}
		fmt.Fprintf(w, "    %s %s:%d @%s: %s\n", kind, res.ExpectedFile, e.Line, e.Rule, e.Message)
	}
	fmt.Fprintf(w, "  expected failures (%s): %d entries, %d failed as expected\n", res.ExpectedFile, len(res.Expected), held)
}

// writeFinalTally sums every profile's counts (one profile's too) and gives
// the verdict the exit code gives, in the reports' words: FAIL (exit 1),
// INCOMPLETE when the run stopped early and nothing that ran failed (Ctrl-C:
// exit 1; --max-time: exit 2), else PASS (exit 0).
func writeFinalTally(w *strings.Builder, res Result) {
	var must, should, may Counts
	xMust, xShould := 0, 0
	for _, p := range res.Profiles {
		must, should, may = must.Plus(p.Must), should.Plus(p.Should), may.Plus(p.May)
		xMust, xShould = xMust+p.expectedFailures(profile.LevelMust), xShould+p.expectedFailures(profile.LevelShould)
	}
	verdict := "PASS"
	switch {
	case res.Failed():
		verdict = "FAIL"
	case res.Interrupted || res.Stopped != "":
		verdict = "INCOMPLETE"
	}
	fmt.Fprintf(w, "  total: %s  MUST: %s;  SHOULD: %s%s\n", verdict, must.TallyExpected(xMust), should.TallyExpected(xShould), mayTally(may))
}

// writeProfileText writes one profile's part of WriteText: root causes
// first (one line each, however many scenarios show it), then each failed
// scenario with its evidence, the not-tested and skipped reasons (verbose),
// and the tally.
func writeProfileText(w *strings.Builder, pr *ProfileResult, strict, verbose bool) {
	writeRootCauses(w, pr, strict)
	for _, s := range pr.Scenarios {
		if (s.Status != StatusFailed || !verbose) && s.Status != StatusError {
			continue
		}
		fmt.Fprintf(w, "\n--- %s [%s] %s / %s  %s\n    %s\n", failureKind(s, strict), s.Profile, s.Feature, s.Name, strings.Join(s.Tags, " "), s.Message)
		if s.Transcript != "" && verbose {
			for _, line := range strings.Split(strings.TrimRight(s.Transcript, "\n"), "\n") {
				fmt.Fprintf(w, "    %s\n", line)
			}
		}
	}
	if verbose {
		writeReasons(w, pr, StatusNotTested, "not tested (a precondition failed)")
		writeReasons(w, pr, StatusSkipped, "not applicable (skipped)")
	}
	fmt.Fprintf(w, "  [%s] %s  MUST: %s;  SHOULD: %s%s%s  (%s)\n",
		pr.Name, pr.Target, pr.Must.TallyExpected(pr.expectedFailures(profile.LevelMust)), pr.Should.TallyExpected(pr.expectedFailures(profile.LevelShould)), mayTally(pr.May), findingsTally(pr), pr.Duration.Round(time.Millisecond))
}

// mayTally words the MAY counts (optional features, never gating), or ""
// when no MAY scenario was counted.
func mayTally(c Counts) string {
	if c.Total() == 0 {
		return ""
	}
	return ";  MAY (optional, never gating): " + c.Tally()
}

// findingsTally counts the findings raised beside the scenarios' rules.
func findingsTally(pr *ProfileResult) string {
	n := 0
	for _, rc := range pr.RootCauses {
		if rc.Finding {
			n++
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(";  %d findings", n)
}

// writeRootCauses lists the profile's root causes, gating ones first.
func writeRootCauses(w *strings.Builder, pr *ProfileResult, strict bool) {
	if len(pr.RootCauses) == 0 {
		return
	}
	fmt.Fprintf(w, "\n  [%s] root causes:\n", pr.Name)
	for _, rc := range pr.RootCauses {
		kind := "FAIL"
		switch {
		case rc.Level == profile.LevelMay:
			kind = "NOTE (MAY: optional feature absent or deviating)"
		case !LevelGates(rc.Level, strict):
			kind = "WARN"
		}
		note := ""
		if rc.Expected.Holds() {
			kind = "XFAIL"
		}
		if rc.Expected != nil {
			note = " [" + expectedNote(rc.Expected) + "]"
		}
		what := "scenario"
		if len(rc.Scenarios) != 1 {
			what = "scenarios"
		}
		fmt.Fprintf(w, "    %s %s: %s (%d %s)%s\n", kind, rc.Rule, firstLine(rc.Cause), len(rc.Scenarios), what, note)
		if rc.Finding {
			for _, id := range rc.Scenarios {
				fmt.Fprintf(w, "        %s\n", id)
			}
		}
	}
}

// writeReasons counts the reasons of the scenarios with status st.
func writeReasons(w *strings.Builder, pr *ProfileResult, st Status, title string) {
	reasons := map[string]int{}
	for _, s := range pr.Scenarios {
		if s.Status == st {
			reasons[s.Message]++
		}
	}
	if len(reasons) == 0 {
		return
	}
	fmt.Fprintf(w, "  [%s] %s:\n", pr.Name, title)
	for _, k := range slices.Sorted(maps.Keys(reasons)) {
		fmt.Fprintf(w, "    %3d × %s\n", reasons[k], k)
	}
}

// firstLine returns s up to its first newline, cut at 300 bytes.
func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if r := []rune(s); len(r) > 300 {
		s = string(r[:300]) + "…"
	}
	return s
}

// failureKind labels a failed or errored scenario in the console report.
func failureKind(s *ScenarioResult, strict bool) string {
	switch {
	case s.Status == StatusError:
		return "ERROR (harness, not the target)"
	case s.Level == profile.LevelMay:
		return "NOTE (MAY: optional feature absent or deviating)"
	case s.Level == profile.LevelShould && !strict && slices.Contains(s.Tags, "@must"):
		return "WARN (SHOULD: lowered by the profile)"
	case s.Level == profile.LevelShould && !strict:
		return "WARN (SHOULD)"
	}
	return "FAIL"
}

// fail marks the scenario failed with the first failure's message.
func (s *ScenarioResult) fail(msg, tr string) {
	if s.Status == StatusFailed || s.Status == StatusError || s.Status == StatusNotTested {
		return
	}
	s.Status, s.Message, s.Transcript = StatusFailed, msg, tr
}

// failWithCause marks the scenario failed with a root cause shared by other
// scenarios.
func (s *ScenarioResult) failWithCause(msg, cause, tr string) {
	if s.Status == StatusFailed || s.Status == StatusError {
		return
	}
	s.fail(msg, tr)
	s.Cause = cause
}

// notTestedWith marks the scenario not tested: its precondition failed.
func (s *ScenarioResult) notTestedWith(reason, tr string) {
	if s.Status != "" && s.Status != StatusPassed {
		return
	}
	s.Status, s.Message, s.Transcript = StatusNotTested, reason, tr
}

// addFinding records a finding once per rule and cause.
func (s *ScenarioResult) addFinding(f Finding) {
	for _, g := range s.Findings {
		if g.Rule == f.Rule && g.Cause == f.Cause {
			return
		}
	}
	s.Findings = append(s.Findings, f)
}

// errorWith marks the scenario errored: the harness, not the target, failed.
func (s *ScenarioResult) errorWith(msg, tr string) {
	if s.Status == StatusFailed || s.Status == StatusError {
		return
	}
	s.Status, s.Message, s.Transcript = StatusError, msg, tr
}

// skipWith marks the scenario skipped with reason, unless it already failed.
func (s *ScenarioResult) skipWith(reason string) {
	if s.Status == StatusFailed || s.Status == StatusError || s.Status == StatusSkipped || s.Status == StatusNotTested {
		return
	}
	s.Status, s.Message = StatusSkipped, reason
}
