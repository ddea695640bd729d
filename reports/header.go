package reports

import (
	"cmp"
	"fmt"
	"sort"
	"time"

	"github.com/oauthconf/oauthconf/internal/outputs"
)

// Header is what the top of the report says about the run: when, with which
// version, against what, under which label, for how long.
type Header struct {
	Label    string   `json:"label,omitempty"`
	Date     string   `json:"date,omitempty"` // "2026-11-22 23:00:00 UTC"; "" when no file says
	Version  string   `json:"version,omitempty"`
	Targets  []string `json:"targets"`
	Profiles []string `json:"profiles"`
	Duration string   `json:"duration,omitempty"` // "1.75s"; "" when unknown
}

// Header returns the run's header: the date, version and label from
// summary.json, else from the load runs' report.json (a load run without
// them dates from its first request in results.bin), the targets and
// profiles of every file, and the duration (verify's, from summary.json or
// its profiles added up, plus the load runs').
func (r *Run) Header() Header {
	h := Header{Label: r.Info.Label, Version: r.Info.Version, Targets: []string{}, Profiles: []string{}}
	start := r.loadStart()
	for _, l := range r.Load {
		if rep := l.Report; rep != nil {
			h.Label, h.Version = cmp.Or(h.Label, Redact(rep.Label)), cmp.Or(h.Version, rep.Version)
			if rep.StartedAt != nil && (start.IsZero() || rep.StartedAt.Before(start)) {
				start = *rep.StartedAt
			}
		}
	}
	if r.Info.StartedAt != nil {
		start = *r.Info.StartedAt
	}
	if !start.IsZero() {
		h.Date = start.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	targets := map[string]bool{}
	profiles := map[string]bool{}
	var total time.Duration // verify's (summary.json's, else its profiles') plus the load runs'
	for _, p := range r.Profiles {
		targets[p.Target], profiles[p.Name] = true, true
		total += p.Duration
	}
	if r.Info.DurationSeconds > 0 {
		total = time.Duration(r.Info.DurationSeconds * float64(time.Second))
	}
	for _, l := range r.Load {
		if rep := l.Report; rep != nil {
			targets[rep.Target], profiles[rep.Profile] = true, true
			total += time.Duration(rep.DurationSeconds * float64(time.Second))
		}
	}
	if total > 0 {
		h.Duration = total.Round(time.Millisecond).String()
	}
	h.Targets, h.Profiles = sortedKeys(targets), sortedKeys(profiles)
	return h
}

// loadStart is the first request of any load step (zero without results.bin).
func (r *Run) loadStart() time.Time {
	var t time.Time
	for _, l := range r.Load {
		for _, st := range l.Steps {
			if !st.Start.IsZero() && (t.IsZero() || st.Start.Before(t)) {
				t = st.Start
			}
		}
	}
	return t
}

func sortedKeys(m map[string]bool) []string {
	out := []string{}
	for k := range m {
		if k != "" {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// Cause is one root cause of one profile, as the report lists them first:
// "invalid_grant answered with HTTP 401: 8 scenarios".
type Cause struct {
	Profile   string   `json:"profile"`
	Rule      string   `json:"rule"`
	Level     string   `json:"level"`
	Cause     string   `json:"cause"`
	Finding   bool     `json:"finding,omitempty"`
	Scenarios []string `json:"scenarios"`
	// Expected is the --expected-failures entry that expects this cause.
	Expected *outputs.Expectation `json:"expected,omitempty"`
}

// Text is the cause and how many scenarios show it.
func (c Cause) Text() string {
	n := len(c.Scenarios)
	if n == 1 {
		return c.Cause + ": 1 scenario"
	}
	return fmt.Sprintf("%s: %d scenarios", c.Cause, n)
}

// Causes lists every profile's root causes, MUST ones first, each profile's
// own order (gating first) kept otherwise.
func (r *Run) Causes() []Cause {
	var out []Cause
	for _, p := range r.Profiles {
		for _, rc := range p.RootCauses {
			out = append(out, Cause{Profile: p.Name, Rule: rc.Rule, Level: rc.Level, Cause: rc.Cause, Finding: rc.Finding,
				Scenarios: append([]string{}, rc.Scenarios...), Expected: rc.Expected})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].Level == outputs.LevelMust && out[j].Level != outputs.LevelMust
	})
	return out
}
