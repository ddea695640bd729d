package steps

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
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
	// Chromium is the browser for authorize.login.mode browser ("": the
	// browser package's default, /usr/bin/chromium or chromium on PATH);
	// the command sets it from OAUTHCONF_CHROMIUM.
	Chromium string
	// RaceRounds bounds how many fresh codes or refresh tokens each race
	// scenario races (default DefaultRaceRounds); a race also stops after
	// RaceBudget, and at the first round with more than one success.
	RaceRounds int
	// Now is the clock of the run's dates: JUnit timestamps (default
	// time.Now). Durations are measured with the monotonic clock.
	Now func() time.Time
}

// Run runs the suite for one profile.
func Run(ctx context.Context, opts Options) (Result, error) {
	return RunAll(ctx, []Options{opts})
}

// ErrTargetCheck marks RunAll's error when the target failed the
// reachability check made before any scenario runs, and Discover's when the
// server could not be reached; the error says what happened (refused, DNS,
// TLS, timeout, redirects).
var ErrTargetCheck = errors.New("target check failed")

// RunAll runs the suite for several profiles. Their concurrent passes run in
// parallel; the passes that move a shared test clock then run one after the
// other, so that advancing the clock never expires another scenario's codes.
// The error is a configuration or reachability problem, or the context's
// error when the run was interrupted; the Result then holds what ran.
func RunAll(ctx context.Context, all []Options) (Result, error) {
	var res Result
	runs := make([]*run, len(all))
	budget := newTranscriptBudget(maxRunTranscript)
	for i, o := range all {
		r, err := newRun(o)
		if err != nil {
			return res, err
		}
		r.t.budget = budget
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
	if res.Interrupted {
		return res, ctx.Err()
	}
	return res, errors.Join(errs...)
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
	lines    map[string]int    // lineKey → the scenario's line (verify --list's too)
	start    time.Time
	started  time.Time // Options.Now at the start, for the reports
	cucumber []cukeFeature
}

func newRun(o Options) (*run, error) {
	if o.Profile == nil {
		return nil, errors.New("steps: Options.Profile is required")
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.RaceRounds <= 0 {
		o.RaceRounds = DefaultRaceRounds
	}
	if o.Output == nil {
		o.Output = io.Discard
	}
	if o.Features == nil {
		o.Features = features.FS
	}
	if o.Now == nil {
		o.Now = time.Now
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
	lines, err := scenarioLines(o.Features)
	if err != nil {
		return nil, err
	}
	return &run{
		t:        &target{opts: o, p: o.Profile, creds: o.Credentials, client: c, rec: &recorder{w: o.Output, verbose: o.Verbose}, keys: &jwksCache{sets: map[string]*jwksEntry{}}},
		features: o.Features,
		names:    names,
		lines:    lines,
		start:    time.Now(),
		started:  o.Now(),
	}, nil
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
		ScenarioInitializer: r.InitializeScenario,
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

// InitializeScenario is godog's ScenarioInitializer: it registers the steps
// (every registerX, through the vocabulary) and the hooks that create each scenario's state and record its outcome.
func (r *run) InitializeScenario(sc *godog.ScenarioContext) {
	addSteps(sc)
	sc.Before(func(ctx context.Context, p *godog.Scenario) (context.Context, error) {
		tags := make([]string, 0, len(p.Tags))
		for _, t := range p.Tags {
			tags = append(tags, t.Name)
		}
		rec := &ScenarioResult{Profile: r.t.p.Name, Feature: r.names[strings.TrimPrefix(p.Uri, "./")], URI: p.Uri, Name: p.Name, Tags: tags, started: time.Now(),
			Line: r.lines[lineKey(p.Uri, p.Name, p.Steps)]}
		if len(p.Steps) > 0 {
			rec.lastStep = p.Steps[len(p.Steps)-1].Id
		}
		s := &scenario{t: r.t, record: rec, red: newRedactor(r.t.creds)}
		rec.Level, s.skip = decide(r.t.p, r.t.opts, tags, stepGrants(p))
		r.t.rec.add(rec)
		return context.WithValue(ctx, scenarioKey{}, s), nil
	})
	sc.StepContext().Before(func(ctx context.Context, st *godog.Step) (context.Context, error) {
		if s := fromCtx(ctx); s != nil {
			s.step = st.Text
		}
		return ctx, nil
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
				msg = boundMessage(s.red.text(err.Error()))
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

// progress prints one finished scenario.
func (r *run) progress(s *ScenarioResult) {
	mark := map[Status]string{StatusPassed: "ok  ", StatusFailed: "FAIL", StatusSkipped: "skip", StatusError: "ERR ", StatusNotTested: "n/t "}[s.Status]
	switch {
	case s.Status == StatusFailed && s.Level == profile.LevelMay:
		mark = "NOTE" // an optional feature absent or deviating
	case s.Status == StatusFailed && !LevelGates(s.Level, r.t.opts.Strict):
		mark = "WARN"
	}
	if !r.t.opts.Verbose {
		return // concise: the root causes and the tally follow the run (WriteText)
	}
	reason := ""
	if (s.Status == StatusSkipped || s.Status == StatusNotTested) && s.Message != "" {
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

// vocabulary is the suite's step table, built once and never modified (the
// step functions are stateless; scenario state travels in the context).
var vocabulary = func() []stepDef {
	var c collector
	registerCapabilities(&c)
	registerToken(&c)
	registerClientAuth(&c)
	registerClientAuthentication(&c)
	registerAuthorize(&c)
	registerPKCE(&c)
	registerRefresh(&c)
	registerBearer(&c)
	registerIntrospection(&c)
	registerRevocation(&c)
	registerUserTokens(&c)
	registerLogin(&c)
	registerMetadata(&c)
	registerJWT(&c)
	registerTokenGrant(&c)
	return c
}()

// addSteps registers the vocabulary with a scenario.
func addSteps(sc *godog.ScenarioContext) {
	for _, d := range vocabulary {
		sc.Step(d.re, d.fn)
	}
}

// recorder collects scenario results of one run and prints progress; safe for
// concurrent use by godog's scenario goroutines.
type recorder struct {
	mu      sync.Mutex
	w       io.Writer
	results []*ScenarioResult
	verbose bool
}

func (r *recorder) out() io.Writer { return lockedWriter{r} }

type lockedWriter struct{ r *recorder }

func (l lockedWriter) Write(p []byte) (int, error) {
	l.r.mu.Lock()
	defer l.r.mu.Unlock()
	return l.r.w.Write(p)
}

func (r *recorder) add(s *ScenarioResult) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.results = append(r.results, s)
}
