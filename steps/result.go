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
)

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

	lastStep string
	started  time.Time
}

// ID names the scenario uniquely within a run: "<profile>: <feature> / <scenario>".
func (s *ScenarioResult) ID() string { return s.Profile + ": " + s.Feature + " / " + s.Name }

// Counts tallies scenarios of one level.
type Counts = outputs.Counts

// ProfileResult is the outcome of one profile's run.
type ProfileResult struct {
	Name      string            `json:"name"`
	Target    string            `json:"target"`
	Must      Counts            `json:"must"`
	Should    Counts            `json:"should"`
	Duration  time.Duration     `json:"-"`
	Scenarios []*ScenarioResult `json:"-"`

	cucumber []cukeFeature
}

// Result is the outcome of a run.
type Result struct {
	Profiles []*ProfileResult
	Strict   bool
	// Interrupted says the context ended before every scenario ran.
	Interrupted bool
}

// Failed reports whether a MUST scenario failed (or a SHOULD one, with
// Strict), or the harness could not judge a scenario (StatusError).
func (r Result) Failed() bool {
	for _, p := range r.Profiles {
		if p.Must.Failed > 0 || (r.Strict && p.Should.Failed > 0) || p.Must.Errors+p.Should.Errors > 0 {
			return true
		}
	}
	return false
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
	pr := &ProfileResult{Name: r.t.p.Name, Target: r.t.client.base.String(), Duration: time.Since(r.start), cucumber: r.cucumber}
	r.t.rec.mu.Lock()
	scen := append([]*ScenarioResult(nil), r.t.rec.results...)
	r.t.rec.mu.Unlock()
	for _, s := range scen {
		if s.Status == "" { // never finished: interrupted
			s.Status, s.Message = StatusFailed, "interrupted before the scenario finished"
		}
		if s.Status == StatusSkipped {
			s.Message = r.redact(s.Message)
		}
		c := &pr.Must
		if s.Level == profile.LevelShould {
			c = &pr.Should
		}
		switch s.Status {
		case StatusPassed:
			c.Passed++
		case StatusFailed:
			c.Failed++
		case StatusSkipped:
			c.Skipped++
		case StatusError:
			c.Errors++
		}
	}
	sort.SliceStable(scen, func(i, j int) bool {
		if scen[i].URI != scen[j].URI {
			return scen[i].URI < scen[j].URI
		}
		return false
	})
	pr.Scenarios = scen
	return pr
}

// WriteText writes the console report of res to w: each failed (or errored)
// scenario with its evidence, then each profile's tally; with verbose also the
// skip reasons, counted.
func WriteText(w io.Writer, res Result, verbose bool) error {
	var b strings.Builder
	for _, pr := range res.Profiles {
		writeProfileText(&b, pr, res.Strict, verbose)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeProfileText writes one profile's part of WriteText.
func writeProfileText(w *strings.Builder, pr *ProfileResult, strict, verbose bool) {
	for _, s := range pr.Scenarios {
		if s.Status != StatusFailed && s.Status != StatusError {
			continue
		}
		fmt.Fprintf(w, "\n--- %s [%s] %s / %s  %s\n    %s\n", failureKind(s, strict), s.Profile, s.Feature, s.Name, strings.Join(s.Tags, " "), s.Message)
		if s.Transcript != "" {
			for _, line := range strings.Split(strings.TrimRight(s.Transcript, "\n"), "\n") {
				fmt.Fprintf(w, "    %s\n", line)
			}
		}
	}
	reasons := map[string]int{}
	for _, s := range pr.Scenarios {
		if s.Status == StatusSkipped {
			reasons[s.Message]++
		}
	}
	if len(reasons) > 0 && verbose {
		fmt.Fprintf(w, "  [%s] skipped:\n", pr.Name)
		for _, k := range slices.Sorted(maps.Keys(reasons)) {
			fmt.Fprintf(w, "    %3d × %s\n", reasons[k], k)
		}
	}
	errs := ""
	if n := pr.Must.Errors + pr.Should.Errors; n > 0 {
		errs = fmt.Sprintf(";  %d harness errors", n)
	}
	fmt.Fprintf(w, "  [%s] %s  MUST: %d passed, %d failed, %d skipped;  SHOULD: %d passed, %d failed, %d skipped%s  (%s)\n",
		pr.Name, pr.Target, pr.Must.Passed, pr.Must.Failed, pr.Must.Skipped, pr.Should.Passed, pr.Should.Failed, pr.Should.Skipped, errs, pr.Duration.Round(time.Millisecond))
}

// failureKind labels a failed or errored scenario in the console report.
func failureKind(s *ScenarioResult, strict bool) string {
	switch {
	case s.Status == StatusError:
		return "ERROR (harness, not the target)"
	case s.Level == profile.LevelShould && !strict && slices.Contains(s.Tags, "@must"):
		return "WARN (SHOULD: lowered by the profile)"
	case s.Level == profile.LevelShould && !strict:
		return "WARN (SHOULD)"
	}
	return "FAIL"
}

// fail marks the scenario failed with the first failure's message.
func (s *ScenarioResult) fail(msg, tr string) {
	if s.Status == StatusFailed || s.Status == StatusError {
		return
	}
	s.Status, s.Message, s.Transcript = StatusFailed, msg, tr
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
	if s.Status == StatusFailed || s.Status == StatusError || s.Status == StatusSkipped {
		return
	}
	s.Status, s.Message = StatusSkipped, reason
}
