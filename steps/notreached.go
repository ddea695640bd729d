package steps

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/oauthconf/oauthconf/internal/outputs"
)

// interruptedPrefix starts the message of a scenario the end of the run cut
// short (outcome, run.result).
const interruptedPrefix = "interrupted before the scenario finished"

// MarkNotReached completes the result of a run that stopped early (cause
// "--max-time 15s reached", or "interrupted" after Ctrl-C) so that every
// report lists every scenario: one the stop cut short and one that never
// started become not tested, with the reason "not reached: " + cause; one
// that would have been skipped (List) is not applicable, with its reason.
// The tallies and root causes are recounted. all are the options res ran
// with, profile by profile.
func MarkNotReached(res *Result, all []Options, cause string) error {
	reason := "not reached: " + cause
	for i, p := range res.Profiles {
		if i >= len(all) {
			break
		}
		plan, err := List(all[i])
		if err != nil {
			return fmt.Errorf("listing the scenarios not reached: %w", err)
		}
		seen := map[[2]string]bool{}
		for _, s := range p.Scenarios {
			seen[[2]string{strings.TrimPrefix(s.URI, "./"), s.Name}] = true
			if (s.Status == StatusSkipped || s.Status == StatusFailed) && strings.HasPrefix(s.Message, interruptedPrefix) {
				s.Status, s.Message, s.Cause = StatusNotTested, reason, ""
			}
		}
		for _, pl := range plan {
			if seen[[2]string{strings.TrimPrefix(pl.URI, "./"), pl.Name}] {
				continue
			}
			s := &ScenarioResult{Profile: p.Name, Feature: pl.Feature, URI: pl.URI, Name: pl.Name, Tags: pl.Tags,
				Level: pl.Level, Status: StatusNotTested, Message: reason, Line: pl.Line}
			if pl.Reason != "" {
				s.Status, s.Message = StatusSkipped, pl.Reason
			}
			p.Scenarios = append(p.Scenarios, s)
		}
		sort.SliceStable(p.Scenarios, func(i, j int) bool { return p.Scenarios[i].URI < p.Scenarios[j].URI })
		p.Must, p.Should, p.May = Counts{}, Counts{}, Counts{}
		for _, s := range p.Scenarios {
			count(p, s)
		}
		p.RootCauses = rootCauses(p.Scenarios, all[i].Profile)
	}
	return nil
}

// stoppedSuite is the JUnit record of why a run stopped early
// (Result.Stopped): one errored test case, so that a CI pipeline publishing
// JUnit shows why the gate failed (exit 2).
func stoppedSuite(why string, info outputs.RunInfo) junitSuite {
	var at time.Time
	if info.StartedAt != nil {
		at = *info.StartedAt
	}
	js := junitSuite{Name: "oauthconf verify", Time: "0.000", Timestamp: junitTime(at), Hostname: hostname()}
	js.add(junitCase{
		Name: "verify stopped: " + why, Classname: "oauthconf verify", Status: "error", Time: "0.000",
		Error: &junitFailure{Message: "verify stopped: " + why + "; the scenarios not reached are listed as not tested", Type: "max-time", Body: why},
	})
	return js
}
