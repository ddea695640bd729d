// Package steps runs the Gherkin conformance suite (package features) against a
// target described by a profile (package profile), over HTTP only.
//
// Steps implement the OAuth wire format on their own (RFC 6749, 6750, 7636,
// 7009 and the vendors' documented dialects); they never share code with the
// reference server, so that a misreading on one side is caught by the other.
// Scenario state lives in the scenario's context.Context (no package state), so
// scenarios run safely under godog's concurrency.
//
// Run (one profile) and RunAll (several, against one server) return a Result;
// WriteReports writes the files of docs/outputs.md.
package steps

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cucumber/godog"
	"github.com/oauthconf/oauthconf/features"
	"github.com/oauthconf/oauthconf/profile"
)

// Options configures one profile's run.
type Options struct {
	// BaseURL is the target, e.g. http://127.0.0.1:8080 (no trailing slash needed).
	BaseURL string
	// Profile describes the target; Credentials are its resolved credentials.
	Profile     *profile.Profile
	Credentials profile.Credentials
	// Tags is a godog tag expression (e.g. "@must && ~@pkce") selecting scenarios.
	Tags string
	// SkipSlow skips @slow scenarios (with that reason) instead of waiting.
	SkipSlow bool
	// TestClock advances the target's clock (POST /_test/clock) instead of
	// waiting; @slow scenarios then run in a serial pass after the others.
	TestClock bool
	// Strict makes failed SHOULD scenarios fail the run.
	Strict bool
	// Concurrency is the number of scenarios run at once (default 4).
	Concurrency int
	// Timeout bounds each HTTP request (default DefaultTimeout).
	Timeout time.Duration
	// Output receives progress and failure reports (default io.Discard).
	Output io.Writer
	// Verbose prints one line per finished scenario.
	Verbose bool
	// HTTPClient optionally replaces the HTTP client (its transport is used; its
	// redirect policy is replaced so that redirects are never followed).
	HTTPClient *http.Client
	// Features replaces the embedded feature files (for tests).
	Features fs.FS
}

// Status is a scenario's outcome.
type Status string

// Scenario outcomes.
const (
	StatusPassed  Status = "passed"
	StatusFailed  Status = "failed"
	StatusSkipped Status = "skipped"
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
type Counts struct {
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
}

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

// Failed reports whether a MUST scenario failed (or a SHOULD one, with Strict).
func (r Result) Failed() bool {
	for _, p := range r.Profiles {
		if p.Must.Failed > 0 || (r.Strict && p.Should.Failed > 0) {
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

// Run runs the suite for one profile.
func Run(ctx context.Context, opts Options) (Result, error) {
	return RunAll(ctx, []Options{opts})
}

// ErrTargetCheck marks RunAll's error when the target failed the
// reachability check made before any scenario runs; the error says what
// happened (refused, DNS, TLS, timeout, redirects).
var ErrTargetCheck = errors.New("target check failed")

// RunAll runs the suite for several profiles. Their concurrent passes run in
// parallel; the passes that move a shared test clock then run one after the
// other, so that advancing the clock never expires another scenario's codes.
// The error is a configuration or reachability problem, or the context's
// error when the run was interrupted; the Result then holds what ran.
func RunAll(ctx context.Context, all []Options) (Result, error) {
	var res Result
	runs := make([]*run, len(all))
	for i, o := range all {
		r, err := newRun(o)
		if err != nil {
			return res, err
		}
		runs[i] = r
		res.Strict = res.Strict || o.Strict
	}
	// Connections the transport dialled but never used would otherwise keep
	// the target's graceful shutdown waiting (net/http treats them as active).
	defer func() {
		for _, r := range runs {
			r.t.client.hc.CloseIdleConnections()
		}
	}()
	for _, r := range runs {
		if err := r.t.client.probe(ctx); err != nil {
			if ctx.Err() != nil {
				return res, fmt.Errorf("profile %s: %w", r.t.p.Name, err)
			}
			return res, fmt.Errorf("profile %s: %w: %w", r.t.p.Name, ErrTargetCheck, err)
		}
	}
	serialSlow := false
	for _, r := range runs {
		if r.t.opts.TestClock && !r.t.opts.SkipSlow {
			serialSlow = true
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, len(runs))
	for i, r := range runs {
		wg.Add(1)
		go func(i int, r *run) {
			defer wg.Done()
			tags := r.t.opts.Tags
			if r.t.opts.TestClock && !r.t.opts.SkipSlow {
				tags = andTags(tags, "~@slow")
			}
			errs[i] = r.pass(ctx, tags, r.t.opts.Concurrency)
		}(i, r)
	}
	wg.Wait()
	if serialSlow {
		for i, r := range runs {
			if errs[i] != nil || ctx.Err() != nil || !r.t.opts.TestClock || r.t.opts.SkipSlow {
				continue
			}
			errs[i] = r.pass(ctx, andTags(r.t.opts.Tags, "@slow"), 1)
		}
	}
	for _, r := range runs {
		res.Profiles = append(res.Profiles, r.result())
	}
	res.Interrupted = ctx.Err() != nil
	for _, r := range runs {
		r.printReport(res.Strict)
	}
	if res.Interrupted {
		return res, ctx.Err()
	}
	return res, errors.Join(errs...)
}

// ValidateTags checks a godog tag expression: "&&"-joined terms, each a
// ","-joined list of @tag or ~@tag (godog's syntax, which also takes a name
// without its @; "and", "or", "not" and parentheses are not part of it). godog itself panics on some malformed
// expressions, so they are refused here with what is wrong.
func ValidateTags(expr string) error {
	if strings.TrimSpace(expr) == "" {
		return nil
	}
	for _, and := range strings.Split(expr, "&&") {
		for _, or := range strings.Split(and, ",") {
			tok := strings.TrimSpace(or)
			name := strings.TrimPrefix(strings.TrimPrefix(tok, "~"), "@")
			switch {
			case tok == "":
				return fmt.Errorf("--tags %q: an empty term (around && or ,); godog syntax: @a && ~@b, @a,@b", expr)
			case name == "" || strings.ContainsAny(name, " \t()&|!@"):
				return fmt.Errorf("--tags %q: %q is not a tag (@name or ~@name); godog syntax: @a && ~@b, @a,@b", expr, tok)
			}
		}
	}
	return nil
}

// andTags joins two godog tag expressions with &&.
func andTags(a, b string) string {
	if strings.TrimSpace(a) == "" {
		return b
	}
	return a + " && " + b
}

// run is one profile's run state.
type run struct {
	t        *target
	features fs.FS
	names    map[string]string // feature URI → feature name
	start    time.Time
	cucumber []cukeFeature
}

func newRun(o Options) (*run, error) {
	if o.Profile == nil {
		return nil, errors.New("steps: Options.Profile is required")
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.Output == nil {
		o.Output = io.Discard
	}
	if o.Features == nil {
		o.Features = features.FS
	}
	c, err := newHTTPClient(o.BaseURL, o.Timeout, o.HTTPClient)
	if err != nil {
		return nil, fmt.Errorf("profile %s: %w", o.Profile.Name, err)
	}
	if err := ValidateTags(o.Tags); err != nil {
		return nil, err
	}
	names, err := featureNames(o.Features)
	if err != nil {
		return nil, err
	}
	return &run{
		t:        &target{opts: o, p: o.Profile, creds: o.Credentials, client: c, rec: &recorder{w: o.Output, verbose: o.Verbose}},
		features: o.Features,
		names:    names,
		start:    time.Now(),
	}, nil
}

// FeatureTags returns the tags (without @) that the features in fsys put on
// features, scenarios and examples: what a profile's requirements may name.
func FeatureTags(fsys fs.FS) (map[string]bool, error) {
	tags := map[string]bool{}
	err := eachFeatureLine(fsys, func(_, line string) bool {
		if strings.HasPrefix(line, "@") {
			for _, t := range strings.Fields(line) {
				tags[strings.TrimPrefix(t, "@")] = true
			}
		}
		return true
	})
	return tags, err
}

// CheckRequirements reports the keys of p's requirements that no scenario
// carries as a tag: a typo, or a tag renamed since the profile was written,
// would otherwise change nothing, silently.
func CheckRequirements(p *profile.Profile, tags map[string]bool) error {
	var unknown []string
	for k := range p.Requirements {
		if !tags[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	slices.Sort(unknown)
	return fmt.Errorf("profile %s: requirements: no scenario has the tag %s (the tags are listed in docs/profiles.md)", p.Name, "@"+strings.Join(unknown, ", @"))
}

// featureNames maps each feature file to its Feature: title.
func featureNames(fsys fs.FS) (map[string]string, error) {
	out := map[string]string{}
	err := eachFeatureLine(fsys, func(p, line string) bool {
		t, ok := strings.CutPrefix(line, "Feature:")
		if ok {
			out[p] = strings.TrimSpace(t)
		}
		return !ok
	})
	return out, err
}

// eachFeatureLine calls fn with every trimmed line of every .feature file in
// fsys, in order, until fn returns false for that file.
func eachFeatureLine(fsys fs.FS, fn func(path, line string) bool) error {
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".feature") {
			return err
		}
		f, err := fsys.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if !fn(p, strings.TrimSpace(sc.Text())) {
				break
			}
		}
		return sc.Err()
	})
	if err != nil {
		return fmt.Errorf("reading feature files: %w", err)
	}
	return nil
}

// pass runs godog once with tags and concurrency, collecting cucumber JSON.
func (r *run) pass(ctx context.Context, tags string, concurrency int) error {
	var cuke bytes.Buffer
	opts := godog.Options{
		FS:             r.features,
		Paths:          []string{"."},
		Format:         "cucumber",
		Output:         &cuke,
		Tags:           tags,
		Strict:         true,
		Concurrency:    concurrency,
		DefaultContext: ctx,
		NoColors:       true,
	}
	status := godog.TestSuite{
		Name:                r.t.p.Name,
		ScenarioInitializer: r.initScenario,
		Options:             &opts,
	}.Run()
	if status == 2 {
		return fmt.Errorf("profile %s: godog could not run the features (status 2; tags %q)", r.t.p.Name, tags)
	}
	feats, err := parseCucumber(cuke.Bytes(), r.redact)
	if err != nil {
		return fmt.Errorf("profile %s: %w", r.t.p.Name, err)
	}
	r.cucumber = mergeCucumber(r.cucumber, feats)
	return nil
}

// initScenario is godog's ScenarioInitializer: it registers the steps and the
// hooks that create each scenario's state and record its outcome.
func (r *run) initScenario(sc *godog.ScenarioContext) {
	addSteps(sc)
	sc.Before(func(ctx context.Context, p *godog.Scenario) (context.Context, error) {
		tags := make([]string, 0, len(p.Tags))
		for _, t := range p.Tags {
			tags = append(tags, t.Name)
		}
		rec := &ScenarioResult{Profile: r.t.p.Name, Feature: r.names[strings.TrimPrefix(p.Uri, "./")], URI: p.Uri, Name: p.Name, Tags: tags, started: time.Now()}
		if len(p.Steps) > 0 {
			rec.lastStep = p.Steps[len(p.Steps)-1].Id
		}
		s := &scenario{t: r.t, record: rec, red: newRedactor(r.t.creds)}
		rec.Level, s.skip = decide(r.t.p, r.t.opts, tags)
		r.t.rec.add(rec)
		return context.WithValue(ctx, scenarioKey{}, s), nil
	})
	sc.StepContext().After(func(ctx context.Context, st *godog.Step, status godog.StepResultStatus, err error) (context.Context, error) {
		s := fromCtx(ctx)
		if s == nil {
			return ctx, nil
		}
		switch status {
		case godog.StepFailed, godog.StepUndefined, godog.StepPending, godog.StepAmbiguous:
			msg := status.String()
			if err != nil {
				msg = s.red.text(err.Error())
			}
			s.record.fail(msg, s.transcript())
		}
		if s.record.Status == StatusSkipped {
			s.record.Message = redactReason(&s.red, r.t.p.Name, s.record.Message)
		}
		if st.Id == s.record.lastStep {
			if s.record.Status == "" {
				s.record.Status = StatusPassed
			}
			s.record.Duration = time.Since(s.record.started)
			r.progress(s.record)
		}
		return ctx, nil
	})
}

// decide returns a scenario's level and, if it must not run, why. The level
// is the scenario's @must/@should tag, overridden (weakest first) by the
// level of its @grant-X feature's grant, headers.no_store for the no-store
// scenarios, and requirements.<tag>.
func decide(p *profile.Profile, o Options, tags []string) (level, skip string) {
	level = profile.LevelMust
	for _, t := range tags {
		if t == "@should" {
			level = profile.LevelShould
		}
	}
	for _, t := range tags {
		if g, ok := strings.CutPrefix(t, "@grant-"); ok {
			gr, supported := p.Grants[g]
			if !supported {
				return level, fmt.Sprintf("profile %s does not support the %s grant", p.Name, g)
			}
			if gr.Level != "" {
				level = gr.Level
			}
		}
	}
	for _, t := range tags {
		if strings.Contains(t, "no-store") && p.Headers.NoStore != "" {
			level = p.Headers.NoStore
		}
	}
	if l := requirementLevel(p, tags); l != "" {
		level = l
	}
	if level == profile.LevelOff {
		return level, fmt.Sprintf("profile %s switches this requirement off (level: off)", p.Name)
	}
	for _, t := range tags {
		if t == "@slow" && o.SkipSlow {
			return level, "@slow scenario (waits in real time): skipped by --skip-slow"
		}
	}
	return level, ""
}

// requirementLevel returns the profile's requirements override for tags.
// When the profile overrides several of a scenario's requirement tags, the
// weakest level wins (off, then should, then must): a scenario that also
// checks a requirement the target does not hold to cannot be held to more.
func requirementLevel(p *profile.Profile, tags []string) string {
	rank := map[string]int{profile.LevelOff: 0, profile.LevelShould: 1, profile.LevelMust: 2}
	level := ""
	for _, t := range tags {
		l, ok := p.Requirements[strings.TrimPrefix(t, "@")]
		if !ok || l == "" {
			continue
		}
		if level == "" || rank[l] < rank[level] {
			level = l
		}
	}
	return level
}

// progress prints one finished scenario.
func (r *run) progress(s *ScenarioResult) {
	mark := map[Status]string{StatusPassed: "ok  ", StatusFailed: "FAIL", StatusSkipped: "skip"}[s.Status]
	if s.Status == StatusFailed && s.Level == profile.LevelShould && !r.t.opts.Strict {
		mark = "WARN"
	}
	if !r.t.opts.Verbose && s.Status != StatusFailed {
		return
	}
	reason := ""
	if s.Status == StatusSkipped && s.Message != "" {
		reason = " — " + s.Message
	}
	fmt.Fprintf(r.t.rec.out(), "  %s [%s] %s / %s%s\n", mark, s.Profile, s.Feature, s.Name, reason)
}

// redact hides secrets in a skip reason (see redactReason) that is not tied
// to one scenario's exchanges.
func (r *run) redact(s string) string {
	red := newRedactor(r.t.creds)
	return redactReason(&red, r.t.p.Name, s)
}

// redactReason gives a skip reason the redaction of failure messages
// (credential values, tokens, secret parameters), except for the words
// "profile <name>": the profile's name is on every output line, so hiding it
// there protects nothing (the demo Shopware password is "shopware").
func redactReason(red *redactor, profileName, reason string) string {
	if profileName == "" {
		return red.text(reason)
	}
	return red.keeping("profile " + profileName).text(reason)
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

// printReport prints the failures with their evidence and the profile's tally.
func (r *run) printReport(strict bool) {
	w := r.t.rec.out()
	pr := r.result()
	for _, s := range pr.Scenarios {
		if s.Status != StatusFailed {
			continue
		}
		kind := "FAIL"
		if s.Level == profile.LevelShould && !strict {
			kind = "WARN (SHOULD)"
			if slices.Contains(s.Tags, "@must") {
				kind = "WARN (SHOULD: lowered by the profile)"
			}
		}
		fmt.Fprintf(w, "\n--- %s [%s] %s / %s  %s\n    %s\n", kind, s.Profile, s.Feature, s.Name, strings.Join(s.Tags, " "), s.Message)
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
	if len(reasons) > 0 && r.t.opts.Verbose {
		fmt.Fprintf(w, "  [%s] skipped:\n", pr.Name)
		for _, k := range sortedKeys(reasons) {
			fmt.Fprintf(w, "    %3d × %s\n", reasons[k], k)
		}
	}
	fmt.Fprintf(w, "  [%s] %s  MUST: %d passed, %d failed, %d skipped;  SHOULD: %d passed, %d failed, %d skipped  (%s)\n",
		pr.Name, pr.Target, pr.Must.Passed, pr.Must.Failed, pr.Must.Skipped, pr.Should.Passed, pr.Should.Failed, pr.Should.Skipped, pr.Duration.Round(time.Millisecond))
}
