package steps

import "testing"

// TestMarkNotReached: after a run stopped at --max-time, every scenario the
// profile lists is in the result: one cut short and one never started are
// not tested "not reached: --max-time 3s reached", one that would have been
// skipped is not applicable with its reason, and the tallies count them so.
func TestMarkNotReached(t *testing.T) {
	o := demoOptions(t, "shopware", "http://127.0.0.1:1")
	plan, err := List(o)
	if err != nil {
		t.Fatal(err)
	}
	var run, skip *Planned
	for i := range plan {
		switch {
		case plan[i].Reason == "" && plan[i].Level == "must" && run == nil:
			run = &plan[i]
		case plan[i].Reason != "" && skip == nil:
			skip = &plan[i]
		}
	}
	cut := &ScenarioResult{Profile: "shopware", Feature: run.Feature, URI: run.URI, Name: run.Name, Tags: run.Tags, Level: "must",
		Status: StatusSkipped, Message: interruptedPrefix + ": context deadline exceeded"}
	res := Result{Profiles: []*ProfileResult{{Name: "shopware", Scenarios: []*ScenarioResult{cut}, Must: Counts{Skipped: 1}}}}
	if err := MarkNotReached(&res, []Options{o}, "--max-time 3s reached"); err != nil {
		t.Fatal(err)
	}
	p := res.Profiles[0]
	if len(p.Scenarios) != len(plan) {
		t.Errorf("%d scenarios in the result, %d listed", len(p.Scenarios), len(plan))
	}
	if cut.Status != StatusNotTested || cut.Message != "not reached: --max-time 3s reached" {
		t.Errorf("the scenario cut short: %s %q", cut.Status, cut.Message)
	}
	var notTested, skipped int
	for _, s := range p.Scenarios {
		switch s.Status {
		case StatusNotTested:
			notTested++
			if s.Message != "not reached: --max-time 3s reached" {
				t.Errorf("%s: not tested %q", s.ID(), s.Message)
			}
		case StatusSkipped:
			skipped++
			if s.Name == skip.Name && s.URI == skip.URI && s.Message != skip.Reason {
				t.Errorf("%s: skipped %q, want %q", s.ID(), s.Message, skip.Reason)
			}
		}
	}
	if got := p.Must.NotTested + p.Should.NotTested + p.May.NotTested; got != notTested || notTested == 0 {
		t.Errorf("tallies count %d not tested, the scenarios %d", got, notTested)
	}
	if got := p.Must.Skipped + p.Should.Skipped + p.May.Skipped; got != skipped {
		t.Errorf("tallies count %d not applicable, the scenarios %d", got, skipped)
	}
}
