package outputs

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Scenario outcomes, as godog's cucumber JSON and summary.json name them.
const (
	StatusPassed  = "passed"
	StatusFailed  = "failed"
	StatusSkipped = "skipped"
	// StatusError is a scenario the harness could not judge (a bug of the
	// suite, not a failure of the target).
	StatusError = "error"
	// StatusNotTested is a scenario whose precondition or control failed
	// (a token could not be obtained, a login page could not be got through):
	// the rule was not tested, neither passed nor failed.
	StatusNotTested = "not_tested"
)

// Requirement levels, from the @must, @should and @may scenario tags (RFC
// 2119 MUST, SHOULD and MAY). A failed MAY never fails a run, even under
// --strict: it reports an optional feature absent or deviating.
const (
	LevelMust   = "must"
	LevelShould = "should"
	LevelMay    = "may"
)

// Counts are one level's scenario outcomes.
type Counts struct {
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
	// Errors are scenarios the harness could not judge (StatusError).
	Errors int `json:"errors,omitempty"`
	// NotTested are scenarios whose precondition or control failed.
	NotTested int `json:"not_tested,omitempty"`
}

// Total is every scenario counted.
func (c Counts) Total() int { return c.Passed + c.Failed + c.Skipped + c.Errors + c.NotTested }

// Judged is the scenarios that ran to a verdict on their rule: passed and
// failed. Not tested, not applicable (skipped) and harness errors are not
// judged.
func (c Counts) Judged() int { return c.Passed + c.Failed }

// Tally words c as every output does (terminal, report.html, summary.md):
// "32 passed, 1 failed, 3 not tested, 61 not applicable", plus ", 2 harness
// errors" when there are any. Skipped scenarios are not applicable to the
// profile (or were skipped by --skip-slow or --tags), with a reason each.
func (c Counts) Tally() string {
	t := fmt.Sprintf("%d passed, %d failed, %d not tested, %d not applicable", c.Passed, c.Failed, c.NotTested, c.Skipped)
	if c.Errors > 0 {
		t += fmt.Sprintf(", %d harness errors", c.Errors)
	}
	return t
}

// TallyExpected is Tally for counts of which expected failed scenarios an
// unexpired --expected-failures entry expects: they are counted apart, "1
// failed as expected", not as failed (they do not gate).
func (c Counts) TallyExpected(expected int) string {
	if expected <= 0 {
		return c.Tally()
	}
	t := fmt.Sprintf("%d passed, %d failed, %d failed as expected, %d not tested, %d not applicable", c.Passed, c.Failed-expected, expected, c.NotTested, c.Skipped)
	if c.Errors > 0 {
		t += fmt.Sprintf(", %d harness errors", c.Errors)
	}
	return t
}

// Headline is a level's one-line verdict, "32 of 33 MUST checks pass": N
// of the judged scenarios (passed and failed).
func (c Counts) Headline(level string) string {
	return fmt.Sprintf("%d of %d %s checks pass", c.Passed, c.Judged(), strings.ToUpper(level))
}

// Breakdown is what the headline does not say, in brackets: "(1 failed, 3
// not tested, 61 not applicable, 2 harness errors)", the zero counts left
// out; "" when everything judged passed.
func (c Counts) Breakdown() string {
	var extra []string
	for _, e := range []struct {
		n    int
		what string
	}{{c.Failed, "failed"}, {c.NotTested, "not tested"}, {c.Skipped, "not applicable"}, {c.Errors, "harness errors"}} {
		if e.n > 0 {
			extra = append(extra, fmt.Sprintf("%d %s", e.n, e.what))
		}
	}
	if len(extra) == 0 {
		return ""
	}
	return "(" + strings.Join(extra, ", ") + ")"
}

// Plus returns the sum of c and d.
func (c Counts) Plus(d Counts) Counts {
	return Counts{Passed: c.Passed + d.Passed, Failed: c.Failed + d.Failed, Skipped: c.Skipped + d.Skipped, Errors: c.Errors + d.Errors, NotTested: c.NotTested + d.NotTested}
}

// RunInfo says which run a file describes, for the report's header.
type RunInfo struct {
	// Label is the run's --label ("nightly #412", "release 2.3 candidate").
	Label string `json:"label,omitempty"`
	// Version is the oauthconf version that ran.
	Version string `json:"version,omitempty"`
	// StartedAt is when the run started (UTC); nil when the file does not say.
	StartedAt *time.Time `json:"started_at,omitempty"`
	// DurationSeconds is the whole run's wall time.
	DurationSeconds float64 `json:"duration_seconds,omitempty"`
}

// Summary is conformance/summary.json: the index of the last verify run in a
// run directory.
type Summary struct {
	RunInfo
	Profiles []SummaryProfile `json:"profiles"`
	// ExitCode is verify's exit code; nil when the file does not say.
	ExitCode *int `json:"exit_code"`
	// Interrupted is set after Ctrl-C: the counts cover only what ran.
	Interrupted bool `json:"interrupted,omitempty"`
	// Stopped says why a run that started stopped before every scenario
	// ran ("--max-time 15s reached: target … stopped answering or answers
	// too slowly": exit 2); "" after Ctrl-C or a complete run.
	Stopped string `json:"stopped,omitempty"`
	// Error is why the run stopped before any scenario ran (exit 2: bad flag,
	// profile or credentials, unreachable target), already redacted, and
	// ErrorKind its class: usage, profile, credentials, target, tags or setup.
	Error     string `json:"error,omitempty"`
	ErrorKind string `json:"error_kind,omitempty"`
	// ExpectedFailuresFile is the --expected-failures file ("" without one),
	// and ExpectedFailures its entries with what became of each.
	ExpectedFailuresFile string            `json:"expected_failures_file,omitempty"`
	ExpectedFailures     []ExpectedFailure `json:"expected_failures,omitempty"`
}

// Outcomes of an expected-failures entry (ExpectedFailure.Outcome).
const (
	// ExpectedFailed: what it names failed, as expected; it does not gate.
	ExpectedFailed = "failed_as_expected"
	// ExpectedExpired: what it names failed, but the entry expired: the
	// failures gate again.
	ExpectedExpired = "expired"
	// ExpectedPassed: what it names passed; the entry should be removed (it
	// gates under --strict).
	ExpectedPassed = "passed"
	// ExpectedNotRun: no scenario it names ran (skipped, not tested, not
	// selected), so nothing was expected and nothing learned.
	ExpectedNotRun = "not_run"
)

// Expectation is the expected-failures entry that matched one failure.
type Expectation struct {
	Reason string `json:"reason"`
	// Expires is the entry's last valid day (YYYY-MM-DD), "" for never.
	Expires string `json:"expires,omitempty"`
	// Expired says the entry expired: the failure gates again.
	Expired bool `json:"expired,omitempty"`
	// Line is the entry's line in the expected-failures file.
	Line int `json:"line"`
}

// Holds reports whether e expects a failure (it exists and has not expired).
func (e *Expectation) Holds() bool { return e != nil && !e.Expired }

// ExpectedFailure is one entry of the expected-failures file (--expected-failures)
// and what became of it in the run, modelled on the OpenID Foundation
// conformance suite's expected-failures list.
type ExpectedFailure struct {
	// Rule is the requirement tag, without @ (docs/requirements.md).
	Rule string `json:"rule"`
	// Scenario and Profile narrow the entry to one scenario name or profile.
	Scenario string `json:"scenario,omitempty"`
	Profile  string `json:"profile,omitempty"`
	Reason   string `json:"reason"`
	Expires  string `json:"expires,omitempty"`
	Line     int    `json:"line"`
	// Outcome is one of ExpectedFailed, ExpectedExpired, ExpectedPassed, ExpectedNotRun.
	Outcome string `json:"outcome"`
	// Gating says the entry itself fails the run: expired (its failures
	// gate), or passed under --strict.
	Gating bool `json:"gating,omitempty"`
	// Message says what happened, in words ("expected to fail but passed:
	// remove the entry").
	Message string `json:"message"`
	// Scenarios are the "<profile>: <feature> / <scenario>" ids it matched.
	Scenarios []string `json:"scenarios,omitempty"`
}

// SummaryProfile is one profile's line of the summary. Must and Should are the
// effective levels, after the profile's overrides (which cucumber JSON does not
// record).
type SummaryProfile struct {
	Name            string  `json:"name"`
	Target          string  `json:"target"`
	Must            Counts  `json:"must"`
	Should          Counts  `json:"should"`
	DurationSeconds float64 `json:"duration_seconds"`
	// May counts the @may scenarios (optional features, RFC 2119 MAY);
	// none of them fails a run, even with --strict. Absent when zero.
	May Counts `json:"may,omitzero"`
	// RootCauses are the profile's failures grouped by cause, gating ones
	// first: one line per root cause however many scenarios show it.
	RootCauses []RootCause `json:"root_causes,omitempty"`
	// Scenarios are the outcomes as the runner judged them (the cucumber
	// JSON knows only godog's passed/failed/skipped).
	Scenarios []ScenarioOutcome `json:"scenarios,omitempty"`
}

// RootCause is one cause of failure and the scenarios it shows in. Rule is
// the requirement tag it breaks, Level its level after the profile's
// overrides; Finding says it was raised beside a scenario's own rule (a
// refusal with the right error code and a status the RFC does not name
// passes the scenario and raises one status finding).
type RootCause struct {
	Rule      string   `json:"rule"`
	Level     string   `json:"level"`
	Cause     string   `json:"cause"`
	Finding   bool     `json:"finding,omitempty"`
	Scenarios []string `json:"scenarios"`
	// Expected is the expected-failures entry that expects this cause.
	Expected *Expectation `json:"expected,omitempty"`
}

// ScenarioOutcome is one scenario's outcome as the runner judged it.
type ScenarioOutcome struct {
	Feature string `json:"feature"`
	URI     string `json:"uri"`
	Name    string `json:"name"`
	Level   string `json:"level"`
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
	// Line is the scenario's line in its feature file.
	Line int `json:"line,omitempty"`
	// Expected is the expected-failures entry that expects this failure.
	Expected *Expectation `json:"expected,omitempty"`
}

// ParseSummary decodes summary.json.
func ParseSummary(data []byte) (Summary, error) {
	var s Summary
	if err := json.Unmarshal(data, &s); err != nil {
		return Summary{}, fmt.Errorf("malformed JSON: %w", err)
	}
	return s, nil
}
