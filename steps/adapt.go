package steps

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/cucumber/godog"
)

// stepper is what the registerX functions add steps to: a
// godog.ScenarioContext, or the collector that builds the vocabulary once.
type stepper interface {
	Step(expr, stepFunc any)
}

// stepDef is one entry of the vocabulary: a compiled pattern and its handler.
type stepDef struct {
	re *regexp.Regexp
	fn any
}

// collector gathers the registered steps, compiling each pattern once.
type collector []stepDef

func (c *collector) Step(expr, fn any) {
	*c = append(*c, stepDef{re: regexp.MustCompile(expr.(string)), fn: fn})
}

// Outcomes of a step other than success. A step returns one of these (or
// any other error, which counts as a violation): the adapters turn them into
// the scenario's status.

// skipError says the scenario does not apply to this target (the profile
// lacks what it needs), with the reason; it is a godog.ErrSkip.
type skipError struct{ reason string }

func (e skipError) Error() string { return godog.ErrSkip.Error() + ": " + e.reason }
func (e skipError) Unwrap() error { return godog.ErrSkip }

// errSkip returns a skipError with the formatted reason.
func errSkip(format string, a ...any) error { return skipError{reason: fmt.Sprintf(format, a...)} }

// violation says the target failed the rule the scenario checks. cause,
// when set, names the root cause in words that are the same in every
// scenario it shows in (a server error where a refusal was due, say), so
// that the report counts it once.
type violation struct{ msg, cause string }

func (e violation) Error() string { return e.msg }

// failf returns a violation: the target did not do what the rule says.
func failf(format string, a ...any) error { return violation{msg: fmt.Sprintf(format, a...)} }

// failCause returns a violation whose root cause is cause.
func failCause(cause, format string, a ...any) error {
	return violation{msg: fmt.Sprintf(format, a...), cause: cause}
}

// findingError says the step's own rule held but the target broke another
// rule on the way: the scenario passes and the finding is recorded once per
// root cause (RFC 6749 §5.2's status beside a refusal with the right code).
type findingError struct{ f Finding }

func (e findingError) Error() string { return e.f.Cause }

// raise returns a findingError for rule, its cause and this scenario's detail.
func raise(rule, cause, format string, a ...any) error {
	return findingError{f: Finding{Rule: rule, Cause: cause, Detail: fmt.Sprintf(format, a...)}}
}

// controlError says a precondition or control step failed: the fault-free
// request a negative check is measured against did not succeed, or a token or
// code the scenario needs could not be obtained, so the rule was not tested.
// The scenario ends as not tested with why, never as passed and never as the
// rule failing; the rule that broke is reported by the scenario that checks it.
type controlError struct{ err error }

func (e controlError) Error() string {
	return "not tested: a precondition failed (the fault-free case must work first, or a refusal proves nothing): " + e.err.Error()
}
func (e controlError) Unwrap() error { return e.err }

// control marks err as a control step's failure; skips, harness errors and
// errors already marked pass through unchanged.
func control(err error) error {
	var h harnessError
	var c controlError
	if err == nil || errors.Is(err, godog.ErrSkip) || errors.As(err, &h) || errors.As(err, &c) {
		return err
	}
	return controlError{err: err}
}

// harnessError is a bug of the suite itself (a step used out of order, a
// feature naming an unknown option): it says nothing about the target, so
// the scenario is reported as an ERROR, not as the target failing a rule.
type harnessError struct{ msg string }

func (e harnessError) Error() string { return "internal: " + e.msg }

// harnessf returns a harnessError.
func harnessf(format string, a ...any) error { return harnessError{msg: fmt.Sprintf(format, a...)} }

// skipReasonName is the attachment name that carries a skip reason into the
// cucumber JSON (moved to result.error_message when the report is written).
const (
	skipReasonName = "skip-reason.txt"
	exchangeName   = "http-exchange.txt"
)

// wrap adapts a step function to godog. See outcome.
func wrap(fn func(context.Context) error) func(context.Context) (context.Context, error) {
	return func(ctx context.Context) (context.Context, error) {
		return outcome(ctx, func() error { return fn(ctx) })
	}
}

// wrap1 adapts a step function of one argument (a string, or an int for (\d+)).
func wrap1[A any](fn func(context.Context, A) error) func(context.Context, A) (context.Context, error) {
	return func(ctx context.Context, a A) (context.Context, error) {
		return outcome(ctx, func() error { return fn(ctx, a) })
	}
}

// wrap2 adapts a step function of two arguments.
func wrap2[A, B any](fn func(context.Context, A, B) error) func(context.Context, A, B) (context.Context, error) {
	return func(ctx context.Context, a A, b B) (context.Context, error) {
		return outcome(ctx, func() error { return fn(ctx, a, b) })
	}
}

// outcome runs a step body and records its outcome: it honours a decided
// skip and the capability table's guard of the step (guardReason), turns a skipError (or any error once the run is interrupted) into a
// skipped step with its reason attached, a harnessError into an errored
// scenario, and any other error into a failed one, attaching the redacted
// HTTP transcript.
func outcome(ctx context.Context, step func() error) (context.Context, error) {
	s := fromCtx(ctx)
	if s == nil {
		return ctx, harnessf("no scenario state in context")
	}
	if s.skip != "" {
		return s.skipped(ctx, s.skip)
	}
	if why := guardReason(s.t, s.step); why != "" {
		s.skip = why
		return s.skipped(ctx, why)
	}
	err := step()
	var skip skipError
	var harness harnessError
	var found findingError
	var ctl controlError
	switch {
	case err == nil:
		return ctx, nil
	case errors.As(err, &found):
		s.record.addFinding(found.f)
		return ctx, nil
	case errors.As(err, &skip):
		s.skip = skip.reason
		return s.skipped(ctx, skip.reason)
	case ctx.Err() != nil:
		// The run was interrupted (Ctrl-C): what the step saw says nothing
		// about the target, so the scenario did not finish rather than fail.
		reason := interruptedPrefix + ": " + boundMessage(s.red.text(err.Error()))
		s.skip = reason
		return s.skipped(ctx, reason)
	}
	msg := boundMessage(s.red.text(err.Error()))
	tr := s.transcript()
	var v violation
	switch {
	case errors.As(err, &harness):
		s.record.errorWith(msg, tr)
	case errors.As(err, &ctl):
		return s.notTested(ctx, msg, tr)
	case errors.As(err, &v) && v.cause != "":
		s.record.failWithCause(msg, s.red.text(v.cause), tr)
	default:
		s.record.fail(msg, tr)
	}
	if tr != "" {
		ctx = godog.Attach(ctx, godog.Attachment{Body: []byte(tr), FileName: exchangeName, MediaType: "text/plain"})
	}
	return ctx, errors.New(msg)
}

// notTested records a scenario whose precondition failed, with the
// transcript that shows why; godog sees a skip, so the steps after it do not
// run and the cucumber JSON carries the reason.
func (s *scenario) notTested(ctx context.Context, reason, tr string) (context.Context, error) {
	s.record.notTestedWith(reason, tr)
	s.skip = reason
	if tr != "" {
		ctx = godog.Attach(ctx, godog.Attachment{Body: []byte(tr), FileName: exchangeName, MediaType: "text/plain"})
	}
	ctx = godog.Attach(ctx, godog.Attachment{Body: []byte(reason), FileName: skipReasonName, MediaType: "text/plain"})
	return ctx, skipError{reason: reason}
}

// skipped records a skip with its reason and attaches the reason for the
// cucumber JSON.
func (s *scenario) skipped(ctx context.Context, reason string) (context.Context, error) {
	s.record.skipWith(reason)
	ctx = godog.Attach(ctx, godog.Attachment{Body: []byte(reason), FileName: skipReasonName, MediaType: "text/plain"})
	return ctx, skipError{reason: reason}
}
