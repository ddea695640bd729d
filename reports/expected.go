package reports

import (
	"fmt"
	"strings"

	"github.com/oauthconf/oauthconf/internal/outputs"
)

// ExpectedEntry is one --expected-failures entry (conformance/summary.json's
// expected_failures) and what became of it in the run, as every report
// shows it: its rule tag, scenario, profile, reason (the ticket), expiry and
// status.
type ExpectedEntry struct {
	outputs.ExpectedFailure
	// Status words the outcome: "failed as expected", "unexpectedly passing"
	// (gating under --strict), "expired on DATE: gates again" or "not run".
	Status string `json:"status"`
}

// expectedStatus words what became of an entry.
func expectedStatus(e outputs.ExpectedFailure) string {
	switch e.Outcome {
	case outputs.ExpectedFailed:
		return "failed as expected"
	case outputs.ExpectedPassed:
		if e.Gating {
			return "unexpectedly passing: gates under --strict; remove the entry"
		}
		return "unexpectedly passing: remove the entry"
	case outputs.ExpectedExpired:
		return "expired on " + e.Expires + ": gates again"
	case outputs.ExpectedNotRun:
		return "not run: no scenario it names ran"
	}
	return e.Outcome
}

// Where is the entry's scope: the scenario it names, else the scenarios it
// matched, else every scenario of its rule.
func (e ExpectedEntry) Where() string {
	switch {
	case e.ExpectedFailure.Scenario != "":
		return e.ExpectedFailure.Scenario
	case len(e.Scenarios) > 0:
		return strings.Join(e.Scenarios, "; ")
	}
	return "any scenario tagged @" + e.Rule
}

// OK says the entry needs no attention (it failed as expected).
func (e ExpectedEntry) OK() bool { return e.Outcome == outputs.ExpectedFailed }

// redactedEntries copies summary.json's entries, redacted and worded.
func redactedEntries(es []outputs.ExpectedFailure) []ExpectedEntry {
	var out []ExpectedEntry
	for _, e := range es {
		e.Reason, e.Message, e.Scenario = Redact(e.Reason), Redact(e.Message), Redact(e.Scenario)
		e.Scenarios = append([]string{}, e.Scenarios...)
		out = append(out, ExpectedEntry{ExpectedFailure: e, Status: expectedStatus(e)})
	}
	return out
}

// redactedExpectation copies an expectation with its reason redacted.
func redactedExpectation(e *outputs.Expectation) *outputs.Expectation {
	if e == nil {
		return nil
	}
	c := *e
	c.Reason = Redact(c.Reason)
	return &c
}

// ExpectedNote words an expectation as the reports show it beside a
// failure: "expected failure: REASON (until DATE)", "expected failure
// expired on DATE: REASON (gates again)"; "" for none.
func ExpectedNote(e *outputs.Expectation) string {
	switch {
	case e == nil:
		return ""
	case e.Expired:
		return fmt.Sprintf("expected failure expired on %s: %s (gates again)", e.Expires, e.Reason)
	case e.Expires != "":
		return fmt.Sprintf("expected failure: %s (until %s)", e.Reason, e.Expires)
	}
	return "expected failure: " + e.Reason
}

// gatingExpected says which entries fail the run on their own (expired, or
// passed under --strict), one line each.
func (r *Run) gatingExpected() []string {
	var why []string
	for _, e := range r.Expected {
		if e.Gating {
			why = append(why, fmt.Sprintf("expected failure @%s (%s:%d): %s", e.Rule, r.ExpectedFile, e.Line, e.Status))
		}
	}
	return why
}
