package reports

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/oauthconf/oauthconf/internal/outputs"
)

// WriteMarkdown writes the Markdown summary (summary.md, for CI job summaries): the
// headline of every profile, the matrix, the failed MUST and SHOULD scenarios, the
// load scenarios with their SLO verdicts, and every notice.
func (r *Run) WriteMarkdown(w io.Writer) error {
	bw := bufio.NewWriter(w)
	p := func(format string, a ...any) { fmt.Fprintf(bw, format, a...) }
	s := r.Summary()
	if s.Header.Label != "" {
		p("# oauthconf report: %s\n\n", mdEscape(s.Header.Label))
	} else {
		p("# oauthconf report\n\n")
	}
	mdVerdict(p, s)
	mdHeader(p, s.Header)
	if len(s.Profiles) > 0 {
		mdConformance(p, r, s)
	}
	if s.Capacity != nil {
		mdCapacity(p, s.Capacity)
	}
	if len(s.Load) > 0 {
		mdLoad(p, s)
		p("Open `report.html` for the scenario details and the load plots.\n")
	} else {
		p("Open `report.html` for the scenario details.\n")
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write markdown summary: %w", err)
	}
	return nil
}

// printer is fmt.Printf onto the summary being written.
type printer func(format string, a ...any)

// mdHeader writes the run's date, version, targets, profiles, label and
// duration.
func mdHeader(p printer, h Header) {
	or := func(v, none string) string {
		if v == "" {
			return none
		}
		return mdEscape(v)
	}
	p("| run | |\n| --- | --- |\n")
	p("| date | %s |\n| version | %s |\n", or(h.Date, "unknown"), or(h.Version, "unknown"))
	p("| target | %s |\n| profiles | %s |\n", or(strings.Join(h.Targets, ", "), "unknown"), or(strings.Join(h.Profiles, ", "), "none"))
	if h.Label != "" {
		p("| label | %s |\n", mdEscape(h.Label))
	}
	p("| duration | %s |\n\n", or(h.Duration, "unknown"))
}

// mdCauses lists the root causes, MUST ones first, findings marked.
func mdCauses(p printer, causes []Cause) {
	p("### Root causes\n\n")
	for _, c := range causes {
		kind := "❌ failure"
		if c.Finding {
			kind = "⚠️ finding"
		}
		if c.Expected.Holds() {
			kind = "☑️ expected " + strings.TrimLeft(kind, "❌⚠️ ")
		}
		p("- %s · **%s** `%s` %s (profile %s)", kind, strings.ToUpper(c.Level), strings.ReplaceAll(c.Rule, "`", "'"), mdEscape(c.Text()), mdEscape(c.Profile))
		if c.Expected != nil {
			p(": _%s_", mdEscape(ExpectedNote(c.Expected)))
		}
		p("\n")
	}
	p("\n")
}

// mdVerdict writes the verdict, how verify ended and the notices.
func mdVerdict(p printer, s Summary) {
	switch s.Verdict {
	case "pass":
		p("**Verdict: PASS**\n\n")
	case "fail":
		p("**Verdict: FAIL**\n\n")
	case "error":
		p("**Verdict: ERROR**: verify stopped before any scenario ran\n\n")
	case "incomplete":
		if v := s.Verify; v != nil && v.Stopped != "" {
			p("**Verdict: INCOMPLETE**: verify stopped, %s; nothing that ran failed\n\n", mdEscape(v.Stopped))
			break
		}
		p("**Verdict: INCOMPLETE**: verify was interrupted; nothing that ran failed\n\n")
	default:
		p("**Verdict: none** (nothing to judge)\n\n")
	}
	if s.Verdict == "fail" {
		for _, why := range s.Reasons {
			p("- %s\n", mdEscape(why))
		}
		p("\n")
	}
	if v := s.Verify; v != nil && v.Error != "" {
		p("> [!CAUTION]\n> verify exited %d", v.ExitCode)
		if v.ErrorKind != "" {
			p(" (problem: %s)", mdEscape(v.ErrorKind))
		}
		p(":\n>\n> %s\n\n", mdEscape(v.Error))
	} else if v != nil && v.Stopped != "" {
		p("> [!WARNING]\n> verify stopped, %s: the counts cover only the scenarios that ran; the others are listed as not tested.\n\n", mdEscape(v.Stopped))
	} else if v != nil && v.Interrupted {
		p("> [!WARNING]\n> verify was interrupted: the counts cover only the scenarios that ran.\n\n")
	}
	if len(s.Notices) > 0 {
		p("> [!WARNING]\n")
		for _, n := range s.Notices {
			p("> %s\n", mdEscape(n))
		}
		p("\n")
	}
}

// mdConformance writes the headlines, the matrix and the failed scenarios.
func mdConformance(p printer, r *Run, s Summary) {
	p("## Conformance\n\n")
	if len(s.RootCauses) > 0 {
		mdCauses(p, s.RootCauses)
	}
	if s.ExpectedFailuresFile != "" {
		mdExpected(p, s.ExpectedFailuresFile, s.ExpectedFailures)
	}
	for _, pr := range s.Profiles {
		mark := "✅"
		if pr.Must.Failed-pr.MustExpected+pr.Must.Errors > 0 {
			mark = "❌"
		}
		p("- %s %s\n  - MUST: %s; SHOULD: %s", mark, mdEscape(pr.Headline), pr.MustTally, pr.ShouldTally)
		if pr.MayTally != "" {
			p("; %s: %s", mayLevel, pr.MayTally)
		}
		p("\n")
	}
	p("\n| feature |")
	for _, pr := range s.Profiles {
		p(" %s |", mdEscape(pr.Name))
	}
	p("\n| --- |")
	for range s.Profiles {
		p(" --- |")
	}
	p("\n")
	for _, fname := range r.FeatureNames() {
		p("| %s |", mdEscape(fname))
		for _, pr := range r.Profiles {
			f, ok := pr.Feature(fname)
			if !ok {
				p(" – |")
				continue
			}
			c := f.Counts("")
			mark := ""
			if c.Failed+c.Errors > 0 {
				mark = " ❌"
			}
			p(" %s%s |", shortTally(c), mark)
		}
		p("\n")
	}
	// Like the headline: N of the M checks that ran pass; skips apart.
	p("| **MUST** |")
	for _, pr := range s.Profiles {
		p(" %s |", ranOf(pr.Must))
	}
	p("\n| **SHOULD** |")
	for _, pr := range s.Profiles {
		p(" %s |", ranOf(pr.Should))
	}
	if slices.ContainsFunc(s.Profiles, func(pr ProfileSummary) bool { return pr.MayTally != "" }) {
		p("\n| **MAY** (optional, never gating) |")
		for _, pr := range s.Profiles {
			if pr.MayTally == "" {
				p(" – |")
				continue
			}
			p(" %s |", ranOf(pr.May))
		}
	}
	p("\n\n✔ passed · ✘ failed · not tested: a precondition failed · n/a: not applicable · error: the harness could not judge; \"N of M\" counts the judged (passed + failed) checks.\n\n")
	var fails []FailureSummary
	for _, pr := range s.Profiles {
		fails = append(fails, pr.Failures...)
	}
	if len(fails) > 0 {
		mdFailures(p, fails)
	}
}

// mayLevel names the MAY level where MUST and SHOULD tallies are (RFC 2119
// MAY: an optional feature, which never gates).
const mayLevel = "MAY (optional, never gating)"

// mdFailures lists the failed scenarios.
func mdFailures(p printer, fails []FailureSummary) {
	p("### Failed scenarios\n\n")
	for _, f := range fails {
		level := f.Level
		if level == "" {
			level = "untagged"
		}
		p("- **%s** · %s · %s (%s", mdEscape(f.Profile), mdEscape(f.Feature), mdEscape(f.Scenario), strings.ToUpper(level))
		for _, t := range f.Requirements {
			p(", `%s`", t)
		}
		p(")")
		if f.Error != "" {
			p(": %s", mdEscape(firstLine(f.Error)))
		}
		if f.Expected != "" {
			p(" — _%s_", mdEscape(f.Expected))
		}
		p("\n")
	}
	p("\n")
}

// mdExpected writes the --expected-failures entries: each one's status,
// rule tag, profile, scenario, reason (the ticket) and expiry.
func mdExpected(p printer, file string, es []ExpectedEntry) {
	p("### Expected failures (`%s`)\n\n", strings.ReplaceAll(file, "`", "'"))
	if len(es) == 0 {
		p("The file lists no entries.\n\n")
		return
	}
	p("| status | rule | profile | scenario | reason | expires | line |\n| --- | --- | --- | --- | --- | --- | ---: |\n")
	for _, e := range es {
		mark := "☑️"
		switch {
		case e.Gating:
			mark = "❌"
		case !e.OK():
			mark = "⚠️"
		}
		prof, exp := e.Profile, e.Expires
		if prof == "" {
			prof = "any"
		}
		if exp == "" {
			exp = "never"
		}
		p("| %s %s | `@%s` | %s | %s | %s | %s | %d |\n", mark, mdEscape(e.Status), strings.ReplaceAll(e.Rule, "`", "'"), mdEscape(prof), mdEscape(e.Where()), mdEscape(e.Reason), mdEscape(exp), e.Line)
	}
	p("\n")
}

// mdCapacity writes the capacity search's result and probes.
func mdCapacity(p printer, c *outputs.Capacity) {
	p("## Capacity search\n\nSLO `%s`: ", strings.ReplaceAll(c.SLO, "`", "'"))
	mark := ""
	if c.Rate == 0 {
		mark = "❌ "
	}
	p("%s%s.\n\n", mark, mdEscape(c.Result()))
	p("| rate | verdict | requests | valid tokens | p99 | violations |\n| ---: | --- | ---: | ---: | ---: | --- |\n")
	for _, pr := range c.Probes {
		v := "✅ pass"
		if !pr.Pass {
			v = "❌ fail"
		}
		p99 := noLatency // the p99 is of the valid responses
		if pr.Success > 0 {
			p99 = fmtDuration(timeDuration(pr.P99))
		}
		p("| %d/s | %s | %d | %.2f%% | %s | %s |\n", pr.Rate, v, pr.Requests, pr.Success*100, p99, mdEscape(strings.Join(pr.Violations, "; ")))
	}
	p("\n")
}

// mdLoad writes the load table and the SLO violations.
func mdLoad(p printer, s Summary) {
	p("## Load\n\n")
	p("| scenario | step | requests | errors | throughput | p50 | p90 | p99 | max | SLO |\n")
	p("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n")
	for _, l := range s.Load {
		slo := "none"
		if l.SLO != nil {
			slo = "✅ pass"
			if !l.SLO.Pass {
				slo = "❌ fail"
			}
			slo += " `" + strings.ReplaceAll(l.SLO.Expr, "`", "'") + "`"
		}
		switch {
		case l.Latency != nil:
			p("| %s | **all** | %d | %s | %.1f/s | %s | %s | %s | %s | %s |\n", mdEscape(l.Scenario), l.Requests, pctOrDash(l.ErrorRate),
				l.Throughput, l.Latency.P50, l.Latency.P90, l.Latency.P99, l.Latency.Max, slo)
		case l.NoValid: // no latency to show
			p("| %s | **all** | %d | %s | %.1f/s | n/a | n/a | n/a | n/a | %s |\n", mdEscape(l.Scenario), l.Requests, pctOrDash(l.ErrorRate), l.Throughput, slo)
		default: // no report.json
			p("| %s | **all** | %d | %s | – | – | – | – | – | %s |\n", mdEscape(l.Scenario), l.Requests, pctOrDash(l.ErrorRate), slo)
		}
		for _, st := range l.Steps {
			lat := LatencyDigest{P50: noLatency, P90: noLatency, P99: noLatency, Max: noLatency}
			if st.Latency != nil {
				lat = *st.Latency
			}
			p("| %s | %s | %d | %d (%.2f%%) | %.1f/s | %s | %s | %s | %s | |\n", mdEscape(l.Scenario), mdEscape(st.Name), st.Requests, st.Errors, st.ErrorRate*100,
				st.Throughput, lat.P50, lat.P90, lat.P99, lat.Max)
		}
		if f := l.Flow; f != nil {
			p("| %s | flow | %d flows | – | – | %s | %s | %s | %s | |\n", mdEscape(l.Scenario), f.Count, f.Latency.P50, f.Latency.P90, f.Latency.P99, f.Latency.Max)
		}
	}
	p("\n")
	for _, l := range s.Load {
		if l.Fail != "" {
			p("❌ **%s** failed: %s\n\n", mdEscape(l.Scenario), mdEscape(l.Fail))
		}
		if l.SLO != nil && len(l.SLO.Violations) > 0 {
			p("SLO violations of **%s**:\n", mdEscape(l.Scenario))
			for _, v := range l.SLO.Violations {
				p("- %s\n", mdEscape(v))
			}
			p("\n")
		}
		if c := l.Server; c != nil {
			p("Server of **%s**: %s\n\n", mdEscape(l.Scenario), mdEscape(c.Summary()))
			for _, w := range c.Warnings {
				p("⚠️ %s\n\n", mdEscape(w))
			}
		}
	}
}

func pctOrDash(v *float64) string {
	if v == nil {
		return "–"
	}
	return fmt.Sprintf("%.2f%%", *v*100)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

var mdEscaper = strings.NewReplacer("|", `\|`, "\n", " ", "\r", "", "<", "&lt;", ">", "&gt;", "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`)

func mdEscape(s string) string { return mdEscaper.Replace(s) }

// Summary is the machine-readable digest of a Run: the headline numbers that
// summary.md and the page show. WriteJSON writes it.
type Summary struct {
	Verdict string `json:"verdict"` // "pass", "fail", "error", "incomplete" or "none" (Run.Verdict)
	// Reasons say why the verdict is fail, error or incomplete (Run.VerdictReasons).
	Reasons    []string          `json:"reasons"`
	Header     Header            `json:"header"`
	RootCauses []Cause           `json:"root_causes"`
	Capacity   *outputs.Capacity `json:"capacity,omitempty"`
	Verify     *VerifySummary    `json:"verify,omitempty"`
	Profiles   []ProfileSummary  `json:"profiles"`
	Load       []LoadSummary     `json:"load"`
	Notices    []string          `json:"notices"`
	// ExpectedFailuresFile is verify's --expected-failures file, and
	// ExpectedFailures its entries with what became of each.
	ExpectedFailuresFile string          `json:"expected_failures_file,omitempty"`
	ExpectedFailures     []ExpectedEntry `json:"expected_failures,omitempty"`
}

// VerifySummary is how verify ended, from conformance/summary.json.
type VerifySummary struct {
	ExitCode    int    `json:"exit_code"`
	Interrupted bool   `json:"interrupted,omitempty"`
	Stopped     string `json:"stopped,omitempty"`
	Error       string `json:"error,omitempty"`
	ErrorKind   string `json:"error_kind,omitempty"`
}

// ProfileSummary is one profile's headline numbers.
type ProfileSummary struct {
	Name     string `json:"name"`
	Target   string `json:"target,omitempty"`
	Headline string `json:"headline"`
	// MustTally and ShouldTally word the counts as every output does
	// (outputs.Counts.Tally).
	MustTally   string `json:"must_tally"`
	ShouldTally string `json:"should_tally"`
	// MayTally words the MAY counts (optional features, never gating);
	// "" when no MAY scenario ran.
	MayTally string `json:"may_tally,omitempty"`
	// MustExpected and ShouldExpected count the failed scenarios an
	// unexpired --expected-failures entry expects (they do not gate).
	MustExpected   int              `json:"must_expected,omitempty"`
	ShouldExpected int              `json:"should_expected,omitempty"`
	Must           Counts           `json:"must"`
	Should         Counts           `json:"should"`
	May            Counts           `json:"may,omitzero"`
	All            Counts           `json:"all"`
	Features       []FeatureSummary `json:"features"`
	Failures       []FailureSummary `json:"failures"`
}

// FeatureSummary is one cell of the matrix.
type FeatureSummary struct {
	Name   string `json:"name"`
	Counts Counts `json:"counts"`
}

// FailureSummary is one failed scenario.
type FailureSummary struct {
	Profile      string   `json:"profile"`
	Feature      string   `json:"feature"`
	Scenario     string   `json:"scenario"`
	Level        string   `json:"level"`
	Requirements []string `json:"requirements"`
	Error        string   `json:"error"`
	// Expected words the --expected-failures entry that expects it ("" for none).
	Expected string `json:"expected,omitempty"`
}

// LoadSummary is one load scenario's headline numbers. Scenario-wide numbers come
// from report.json when present, else from results.bin.
type LoadSummary struct {
	Scenario   string   `json:"scenario"`
	Requests   int      `json:"requests"`
	ErrorRate  *float64 `json:"error_rate"`
	Throughput float64  `json:"throughput"`
	// Latency is of the valid responses (report.json's); nil when there is
	// no report.json or (NoValid) when none was valid.
	Latency *LatencyDigest `json:"latency"`
	// NoValid is set when report.json has no latencies: not one response
	// was valid (shown as n/a, not as unknown).
	NoValid   bool                `json:"-"`
	SLO       *outputs.SLOVerdict `json:"slo"`
	Truncated bool                `json:"truncated,omitempty"`
	// Fail says why the scenario failed load's exit code (LoadScenario.Failed).
	Fail  string          `json:"fail,omitempty"`
	Steps []StepSummaryJS `json:"steps"`
	// Flow is the end-to-end latency of authorization-code flows (connect
	// sent to token received; report.json's flow, the SLO step "flow"); nil
	// for single-request grants.
	Flow *FlowSummaryJS `json:"flow,omitempty"`
	// Server is report.json's server object (load --server-pid).
	Server *outputs.ServerCost `json:"server,omitempty"`
}

// StepSummaryJS is one step's numbers, computed from results.bin.
type StepSummaryJS struct {
	Name       string  `json:"name"`
	Requests   int     `json:"requests"`
	Errors     int     `json:"errors"`
	ErrorRate  float64 `json:"error_rate"`
	Throughput float64 `json:"throughput"`
	// Latency is of the step's valid responses; nil (omitted) when none was.
	Latency *LatencyDigest `json:"latency,omitempty"`
}

// FlowSummaryJS is the end-to-end flows' count and latency.
type FlowSummaryJS struct {
	Count   int64         `json:"count"`
	Latency LatencyDigest `json:"latency"`
}

// noLatency stands for a latency when no response was valid.
const noLatency = "n/a"

// LatencyDigest holds formatted latency percentiles ("12.3ms").
type LatencyDigest struct {
	P50 string `json:"p50"`
	P90 string `json:"p90"`
	P99 string `json:"p99"`
	Max string `json:"max"`
}

// Summary computes the digest of the run.
func (r *Run) Summary() Summary {
	s := Summary{Verdict: r.Verdict(), Reasons: append([]string{}, r.VerdictReasons()...), Header: r.Header(),
		RootCauses: append([]Cause{}, r.Causes()...), Capacity: r.Capacity, Notices: append([]string{}, r.Notices...),
		ExpectedFailuresFile: r.ExpectedFile, ExpectedFailures: r.Expected}
	if v := r.Verify; v != nil {
		s.Verify = &VerifySummary{Interrupted: v.Interrupted, Stopped: v.Stopped, Error: v.Error, ErrorKind: v.ErrorKind}
		switch {
		case v.ExitCode != nil:
			s.Verify.ExitCode = *v.ExitCode
		case v.Error != "":
			s.Verify.ExitCode = 2
		}
	}
	for _, p := range r.Profiles {
		ps := ProfileSummary{Name: p.Name, Target: p.Target, Headline: p.Headline(), Must: p.Counts(outputs.LevelMust), Should: p.Counts(outputs.LevelShould), All: p.Counts("")}
		ps.MustTally, ps.ShouldTally = p.Tally(outputs.LevelMust), p.Tally(outputs.LevelShould)
		if ps.May = p.Counts(outputs.LevelMay); ps.May.Total() > 0 {
			ps.MayTally = ps.May.Tally()
		}
		ps.MustExpected, ps.ShouldExpected = p.XFail[outputs.LevelMust], p.XFail[outputs.LevelShould]
		ps.Features = []FeatureSummary{}
		ps.Failures = []FailureSummary{}
		for _, f := range p.Features {
			ps.Features = append(ps.Features, FeatureSummary{Name: f.Name, Counts: f.Counts("")})
			for _, sc := range f.Scenarios {
				if sc.Status != outputs.StatusFailed {
					continue
				}
				fs := FailureSummary{Profile: p.Name, Feature: f.Name, Scenario: sc.Name, Level: sc.Level, Requirements: append([]string{}, sc.Requirements...), Error: sc.Message, Expected: ExpectedNote(sc.Expected)}
				for _, st := range sc.Steps {
					if fs.Error == "" && st.Status != "passed" && st.Status != "skipped" && st.Error != "" {
						fs.Error = st.Error
						break
					}
				}
				ps.Failures = append(ps.Failures, fs)
			}
		}
		sort.SliceStable(ps.Failures, func(i, j int) bool { // MUST first
			return ps.Failures[i].Level == outputs.LevelMust && ps.Failures[j].Level != outputs.LevelMust
		})
		s.Profiles = append(s.Profiles, ps)
	}
	for _, l := range r.Load {
		s.Load = append(s.Load, l.summary())
	}
	if s.Profiles == nil {
		s.Profiles = []ProfileSummary{}
	}
	if s.Load == nil {
		s.Load = []LoadSummary{}
	}
	return s
}

// flowSummary digests report.json's end-to-end flow latency; nil for nil.
func flowSummary(f *outputs.LatencySummary) *FlowSummaryJS {
	if f == nil {
		return nil
	}
	d := func(v int64) string { return fmtDuration(timeDuration(v)) }
	return &FlowSummaryJS{Count: f.Count, Latency: LatencyDigest{P50: d(f.P50), P90: d(f.P90), P99: d(f.P99), Max: d(f.Max)}}
}

// summary is the scenario's headline numbers: report.json's when there
// is one, its steps' from results.bin.
func (l LoadScenario) summary() LoadSummary {
	ls := LoadSummary{Scenario: l.Name, Requests: l.Requests, Truncated: l.Truncated, Fail: l.Failed(), Steps: []StepSummaryJS{}}
	errs := 0
	for _, st := range l.Steps {
		errs += st.Errors
		js := StepSummaryJS{Name: st.Name, Requests: st.Requests, Errors: st.Errors, ErrorRate: st.ErrorRate(), Throughput: st.Throughput}
		if st.Measured() {
			js.Latency = &LatencyDigest{P50: fmtDuration(st.P50), P90: fmtDuration(st.P90), P99: fmtDuration(st.P99), Max: fmtDuration(st.Max)}
		}
		ls.Steps = append(ls.Steps, js)
	}
	if l.Requests > 0 {
		er := float64(errs) / float64(l.Requests)
		ls.ErrorRate = &er
	}
	if rep := l.Report; rep != nil {
		ls.Requests = int(rep.Requests)
		er := 1 - rep.SuccessRatio
		if rep.Requests == 0 {
			er = 0
		}
		ls.ErrorRate = &er
		ls.Throughput = rep.Throughput
		d := func(v int64) string { return fmtDuration(timeDuration(v)) }
		if lat := rep.Latencies; lat != nil {
			ls.Latency = &LatencyDigest{P50: d(lat.P50), P90: d(lat.P90), P99: d(lat.P99), Max: d(lat.Max)}
		}
		ls.NoValid = rep.Latencies == nil
		ls.SLO = rep.SLO
		ls.Server, ls.Flow = rep.Server, flowSummary(rep.Flow)
	}
	return ls
}

// WriteJSON writes the run's Summary as indented JSON.
func (r *Run) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r.Summary()); err != nil {
		return fmt.Errorf("write JSON summary: %w", err)
	}
	return nil
}

// ranOf renders a level's matrix row as the headline counts it: "1 of 2
// pass (1 failed, 1 not applicable)".
func ranOf(c Counts) string {
	out := fmt.Sprintf("%d of %d pass", c.Passed, c.Judged())
	if b := c.Breakdown(); b != "" {
		out += " " + b
	}
	return out
}
