package load

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/oauthconf/oauthconf/internal/httpx"
	"github.com/oauthconf/oauthconf/internal/outputs"
	"github.com/oauthconf/oauthconf/internal/redact"
	"github.com/oauthconf/oauthconf/profile"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Defaults for Options.
const (
	DefaultWorkers = 16
	DefaultTimeout = 10 * time.Second
	// DefaultMaxRequests caps runs that give neither a rate nor a request count.
	DefaultMaxRequests = 1_000_000
)

// Options describes one load run.
type Options struct {
	BaseURL     string
	Profile     *profile.Profile
	Credentials profile.Credentials
	// Scenario is one of Scenarios(Profile) or Mix.
	Scenario string
	// Mix weights the components of the mix scenario (see ParseMix).
	Mix map[string]int
	// Rate is requests per second; 0 means as fast as Workers allow.
	Rate     int
	Duration time.Duration
	// MaxRequests bounds the run; 0 means Rate×Duration×1.1 (or DefaultMaxRequests).
	MaxRequests uint64
	// Ramp, if set, steps the rate from Ramp.From to Ramp.To in Ramp.Steps equal
	// parts of Duration (Rate is then ignored).
	Ramp    *Ramp
	Workers uint64
	Timeout time.Duration
	SLO     SLO
	// SLOAbort stops the run early when the SLO is breached: checked every
	// second once AbortGrace has passed, on the conditions whose step has
	// AbortMinRequests requests (see watchSLO).
	SLOAbort bool
	// AbortGrace is how long the run goes before a breach can stop it
	// (default DefaultAbortGrace).
	AbortGrace time.Duration
	// AbortMinRequests is how many requests a condition's step needs before
	// a breach of it can stop the run (default DefaultAbortMinRequests).
	AbortMinRequests uint64
	// Shard, if set, makes this run shard Index of Count copies that make
	// one run: it sends its share of Rate, Ramp and MaxRequests, and writes
	// under DIR/load/<scenario>/shard-<I>-of-<N>/ (see ResultsDir).
	Shard *Shard
	// OutDir, if set, receives DIR/load/<scenario>/{results.bin,report.json,latency.hgrm,plot.html}.
	OutDir string
	// Progress receives one line a second while the run goes on; nil for none.
	Progress io.Writer
	// Transport is the base transport (default: a keep-alive transport sized for Workers).
	Transport http.RoundTripper
	// ServerPID, if set, is the target's process on this (Linux) machine:
	// its CPU time and RSS are sampled every ServerSampleEvery (default
	// DefaultServerSampleEvery) into Report.Server (see servercost.go).
	ServerPID         int
	ServerSampleEvery time.Duration
	procRoot          string // proc(5)'s root; "" is /proc (tests use fakes)

	// shardInfo is the shard's part, set by validate; share is its fraction
	// of the run's rate (throughput bounds are scaled by it).
	shardInfo *outputs.LoadShard
	share     float64

	// Label names the run and Version is oauthconf's, for report.json's
	// header; Now is the clock that dates the run (nil: time.Now).
	Label, Version string
	Now            func() time.Time
}

// Ramp steps the rate.
type Ramp struct{ From, To, Steps int }

// ParseRamp reads FROM:TO:STEPS.
func ParseRamp(s string) (*Ramp, error) {
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return nil, fmt.Errorf("ramp %q: want FROM:TO:STEPS, e.g. 100:1000:5", s)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("ramp %q: %q is not a positive whole number", s, p)
		}
		n[i] = v
	}
	return &Ramp{From: n[0], To: n[1], Steps: n[2]}, nil
}

type stage struct {
	rate int
	dur  time.Duration
}

func (o *Options) stages() []stage {
	if o.Ramp == nil {
		return []stage{{o.Rate, o.Duration}}
	}
	st := make([]stage, o.Ramp.Steps)
	for i := range st {
		r := o.Ramp.From
		if o.Ramp.Steps > 1 {
			r += (o.Ramp.To - o.Ramp.From) * i / (o.Ramp.Steps - 1)
		}
		st[i] = stage{r, o.Duration / time.Duration(o.Ramp.Steps)}
	}
	return st
}

func (o *Options) validate() error {
	if o.Profile == nil {
		return errors.New("load: no profile")
	}
	if _, err := url.Parse(o.BaseURL); err != nil || o.BaseURL == "" {
		return fmt.Errorf("load: target %q is not a URL", o.BaseURL)
	}
	if o.Duration <= 0 {
		return errors.New("load: duration must be positive (every run is bounded in time)")
	}
	if o.Rate < 0 {
		return errors.New("load: rate must not be negative")
	}
	if o.Scenario == Mix && len(o.Mix) == 0 {
		return errors.New("load: the mix scenario needs weights (--mix cc=70,refresh=20,code=10)")
	}
	if o.Scenario != Mix {
		ok := false
		for _, s := range Scenarios(o.Profile) {
			ok = ok || s == o.Scenario
		}
		if !ok {
			return fmt.Errorf("load: profile %s has no scenario %q (it has: %s, mix)", o.Profile.Name, o.Scenario, strings.Join(Scenarios(o.Profile), ", "))
		}
	}
	if o.Workers == 0 {
		o.Workers = DefaultWorkers
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if err := o.SLO.CheckSteps(StepNames(o.Profile, o.Scenario, o.Mix)); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	if err := o.applyShard(); err != nil {
		return err
	}
	if o.MaxRequests == 0 {
		o.MaxRequests = DefaultMaxRequests
		if o.Rate > 0 && o.Ramp == nil {
			o.MaxRequests = uint64(float64(o.Rate)*o.Duration.Seconds()*1.1) + 10
		}
		if o.Ramp != nil {
			o.MaxRequests = uint64(float64(max(o.Ramp.From, o.Ramp.To))*o.Duration.Seconds()*1.1) + 10
		}
	}
	if o.shardInfo != nil {
		o.shardInfo.MaxRequests = o.MaxRequests
	}
	return nil
}

// RemoteEndpoints lists the profile's endpoints that are absolute URLs on a
// host that is not loopback, as "field (URL)", sorted: load traffic goes
// only to loopback unless the caller allows a remote target, and an endpoint
// on another origin is a target like --target.
func RemoteEndpoints(p *profile.Profile) []string {
	var out []string
	for field, u := range p.EndpointURLs() {
		if profile.IsAbsoluteURL(u) && !httpx.IsLoopback(u) {
			out = append(out, field+" ("+u+")")
		}
	}
	sort.Strings(out)
	return out
}

// NeededCredentials lists the credentials scenario (with mix weights) sends,
// so that a load run asks only for those: the grants' params, the client's id
// and secret, the redirect URI of code flows, the customer's login.
func NeededCredentials(p *profile.Profile, scenario string, mix map[string]int) []string {
	grants := map[string]bool{}
	add := func(sc string) {
		switch sc {
		case CustomerToken:
			grants[Implicit] = true
		case RefreshToken:
			grants[RefreshToken] = true
			if p.Supports(Password) {
				grants[Password] = true
			} else {
				grants[AuthorizationCode] = true
			}
		default:
			grants[sc] = true
		}
	}
	if scenario == Mix {
		for sc := range mix {
			add(sc)
		}
	} else {
		add(scenario)
	}
	need := map[string]bool{}
	for g := range grants {
		gr := p.Grants[g]
		if gr == nil {
			continue
		}
		for _, v := range gr.Params {
			for _, r := range credentialRefs(v) {
				need[r] = true
			}
		}
		need["client_id"] = true
		if g == Implicit && p.ImplicitViaAuthorize() {
			need["redirect_uri"] = true
		}
		if p.ClientAuthFor(g) != profile.ClientAuthNone {
			need["client_secret"] = true
		}
		if g == AuthorizationCode {
			need["redirect_uri"] = true
		}
	}
	if ut := p.UserTokens.Customer; ut != nil && (scenario == CustomerToken || mix[CustomerToken] > 0) {
		for _, name := range ut.Credentials() {
			need[name] = true
		}
	}
	out := make([]string, 0, len(need))
	for n := range need {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// credentialRefs returns the ${name} references in v (not ${token.X}).
func credentialRefs(v string) []string {
	var out []string
	for {
		i := strings.Index(v, "${")
		if i < 0 {
			return out
		}
		j := strings.Index(v[i:], "}")
		if j < 0 {
			return out
		}
		if name := v[i+2 : i+j]; !strings.HasPrefix(name, "token.") {
			out = append(out, name)
		}
		v = v[i+j+1:]
	}
}

// multiStep reports whether a scenario's results come from more than one step.
func multiStep(o Options) bool {
	switch o.Scenario {
	case ClientCredentials, Password, Implicit, CustomerToken:
		return false
	}
	return true
}

// boundedPacer stops after max hits.
type boundedPacer struct {
	vegeta.Pacer
	max uint64
}

func (p boundedPacer) Pace(el time.Duration, hits uint64) (time.Duration, bool) {
	if hits >= p.max {
		return 0, true
	}
	return p.Pacer.Pace(el, hits)
}

// maxRatePacer paces nothing: as fast as the workers go.
type maxRatePacer struct{}

func (maxRatePacer) Pace(time.Duration, uint64) (time.Duration, bool) { return 0, false }
func (maxRatePacer) Rate(time.Duration) float64                       { return math.Inf(1) }

// transports returns the bounded transport to the target and the attack's
// RoundTripper over it. Every body is bounded (after any gzip inflation):
// vegeta reads maxBody bytes and then drains, and the drain stops at once with
// "response body too large", counted as an error. The timeout is enforced by
// a request context, never by an http.Client Timeout: net/http's Client only
// trusts *http.Transport to honour request contexts; any other RoundTripper
// gets a timer goroutine per request to enforce the client Timeout, which
// cost ~10% of the maximum rate in BenchmarkHarnessOverhead. Transport errors
// read as httpx.Describe's words ("timed out after 10s …").
func (o Options) transports(pl *pools, flows *latencies) (*httpx.Bounded, http.RoundTripper) {
	base := o.Transport
	if base == nil {
		base = defaultTransport()
	}
	bounded := &httpx.Bounded{Base: base, Timeout: o.Timeout, MaxBody: maxBody}
	if !multiStep(o) {
		return bounded, bounded // single-step scenarios read no responses: no flow bookkeeping
	}
	return bounded, &flowTransport{base: bounded, pools: pl, flows: flows}
}

// Run executes the scenario and returns its report; with OutDir set it also
// writes the report files (even when ctx is cancelled mid-run: what ran is
// reported). The error is about the run itself (bad options, no output), not
// about the target's answers, which are counted in the report.
func Run(ctx context.Context, o Options) (*Report, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	pl := newPools(4096)
	run := newCollector(o)
	bounded, ft := o.transports(pl, &run.flows)
	clientTimeout := time.Duration(0) // the transports enforce o.Timeout
	server, err := newServerSampler(o, run.tokens.Load)
	if err != nil {
		return nil, err
	}
	tr, err := newTargeter(ctx, o, bounded, pl)
	if err != nil {
		return nil, err
	}
	if o.OutDir != "" {
		if err := run.openResults(); err != nil {
			return nil, err
		}
	}
	// The run ends at its duration plus a short grace: requests still in
	// flight then are cancelled (the bounded transport's Stop), and so is
	// everything at once on Ctrl-C.
	runCtx, cancel := context.WithTimeout(ctx, o.Duration+o.grace())
	defer cancel()
	bounded.Stop, run.end = runCtx, runCtx
	stopProgress := run.progress(o.Progress)
	slo := o.SLO
	if o.shardInfo != nil {
		slo = slo.scaled(o.share)
	}
	atkCtx, stopAttack := context.WithCancel(runCtx)
	defer stopAttack()
	stopWatch := run.watchSLO(o, slo, stopAttack)
	started := o.now().UTC()
	server.start()
	attackStages(atkCtx, o, tr, &http.Client{Transport: ft}, clientTimeout, run)
	serverCost := server.finish()
	stopWatch()
	stopProgress()
	rep := run.report()
	rep.Server = serverCost
	rep.Version, rep.Label, rep.StartedAt = o.Version, o.Label, &started
	rep.SLO = slo.Check(rep)
	rep.Shard = o.shardInfo
	if run.aborted != nil {
		rep.SLO.Pass, rep.SLO.Aborted = false, run.aborted
		if len(rep.SLO.Violations) == 0 { // it held again by the end; the breach stopped the run
			rep.SLO.Violations = append(rep.SLO.Violations, run.aborted.Violation+" (when the run was aborted)")
		}
	}
	rep.Interrupted = ctx.Err() != nil // before writing: report.json says so too
	if o.OutDir != "" {
		if err := run.write(rep); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// now is the run's clock.
func (o Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// MaxGrace bounds how long a run waits past its duration for the answers
// in flight (at most the timeout): a run never overruns Duration by more.
const MaxGrace = 2 * time.Second

// grace is how long the run waits past Duration: min(Timeout, MaxGrace).
func (o Options) grace() time.Duration { return min(o.Timeout, MaxGrace) }

// defaultTransport is the HTTP transport of a run without Options.Transport.
func defaultTransport() *http.Transport {
	return &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: vegeta.DefaultConnections,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
		// The header bound of every harness client (internal/httpx).
		MaxResponseHeaderBytes: httpx.DefaultMaxHeaderBytes,
	}
}

// newTargeter builds the scenario's (or the mix's) targeter; the Elastic
// Path customer-token scenarios first fetch an implicit token over bounded
// (which enforces o.Timeout and the body bound).
func newTargeter(ctx context.Context, o Options, bounded *httpx.Bounded, pl *pools) (vegeta.Targeter, error) {
	b := &builder{base: strings.TrimRight(o.BaseURL, "/"), prof: o.Profile, creds: o.Credentials, pools: pl, tagSteps: multiStep(o), verifier: newVerifier(o.Profile)}
	if o.Scenario == CustomerToken || o.Mix[CustomerToken] > 0 {
		if err := b.fetchImplicit(ctx, &http.Client{Transport: bounded}); err != nil {
			return nil, fmt.Errorf("load: %w", err)
		}
	}
	var (
		tr  vegeta.Targeter
		err error
	)
	if o.Scenario == Mix {
		tr, err = b.mixTargeter(o.Mix)
	} else {
		tr, err = b.targeter(o.Scenario, "")
	}
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	return tr, nil
}

// attackStages attacks with one vegeta attacker per stage of the rate (one
// stage without a ramp) until the stages, o.MaxRequests or ctx end, feeding
// every result to run.
func attackStages(ctx context.Context, o Options, tr vegeta.Targeter, client *http.Client, timeout time.Duration, run *collector) {
	left := o.MaxRequests
	for _, st := range o.stages() {
		if ctx.Err() != nil || left == 0 {
			break
		}
		atk := vegeta.NewAttacker(
			vegeta.Client(client),
			vegeta.Redirects(vegeta.NoFollow),
			vegeta.Timeout(timeout),
			vegeta.Workers(o.Workers),
			vegeta.MaxWorkers(max(o.Workers, uint64(st.rate)/10+o.Workers)),
			vegeta.MaxBody(maxBody),
		)
		var pacer vegeta.Pacer = vegeta.ConstantPacer{Freq: st.rate, Per: time.Second}
		if st.rate == 0 {
			pacer = maxRatePacer{}
			atk = vegeta.NewAttacker(vegeta.Client(client), vegeta.Redirects(vegeta.NoFollow),
				vegeta.Timeout(timeout), vegeta.Workers(o.Workers), vegeta.MaxWorkers(o.Workers), vegeta.MaxBody(maxBody))
		}
		done := make(chan struct{})
		go func() {
			select {
			case <-ctx.Done():
				atk.Stop()
			case <-done:
			}
		}()
		n := uint64(0)
		for r := range atk.Attack(tr, boundedPacer{pacer, left}, st.dur, o.Scenario) {
			run.add(r)
			n++
		}
		close(done)
		left -= min(left, n)
	}
}

// collector accumulates results: metrics overall and per step, an HDR
// histogram of successful latencies, a per-second timeline and the flow
// latencies; it also encodes results to results.bin. add is called from one
// goroutine; progress reads under mu.
type collector struct {
	opts    Options
	mu      sync.Mutex
	total   vegeta.Metrics
	steps   map[string]*vegeta.Metrics
	stepOK  map[string]uint64
	multi   bool                    // results come from several steps (else all are "token")
	hist    *hdrhistogram.Histogram // µs
	stepHst map[string]*hdrhistogram.Histogram
	last    time.Time // the latest answer's end
	aborted *outputs.SLOAbort
	ok      uint64
	n       atomic.Uint64
	errs    atomic.Uint64
	tokens  atomic.Uint64 // valid answers of steps that issue tokens (not connect)
	first   time.Time
	seconds map[int64]*second
	flows   latencies
	enc     vegeta.Encoder
	buf     *bufio.Writer
	file    *os.File
	dir     string
	encErr  error
	end     context.Context   // the run's end (duration + grace); nil in Merge
	red     *redact.Redactor  // the run's credentials
	cleaned map[string]string // error text → redacted, escaped (bounded memo)
	classes map[string]uint64 // failed requests by outputs.ErrorClass*
}

// second is one second of the timeline.
type second struct {
	N, Errors int
	Lat       []int64 // µs, at most perSecondSamples
}

const perSecondSamples = 200

func newCollector(o Options) *collector {
	return &collector{opts: o, multi: o.Scenario == "" || multiStep(o), steps: map[string]*vegeta.Metrics{}, stepOK: map[string]uint64{}, stepHst: map[string]*hdrhistogram.Histogram{},
		hist: newHist(), seconds: map[int64]*second{}, red: o.Credentials.Redactor(), cleaned: map[string]string{}, classes: map[string]uint64{}}
}

// maxCleaned bounds the memo of redacted error texts.
const maxCleaned = 4096

// clean returns an error text with the run's secrets, and secret parameters,
// headers and JSON fields, hidden (see internal/redact) and control
// characters escaped: it goes to results.bin, report.json, the terminal and
// the HTML report. Errors repeat, so results are memoised.
func (c *collector) clean(s string) string {
	if s == "" {
		return s
	}
	if v, ok := c.cleaned[s]; ok {
		return v
	}
	v := redact.EscapeLine(c.red.Text(s))
	if len(c.cleaned) < maxCleaned {
		c.cleaned[s] = v
	}
	return v
}

func (c *collector) openResults() error {
	c.dir = c.opts.ResultsDir()
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	f, err := os.Create(filepath.Join(c.dir, "results.bin"))
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	c.file, c.buf = f, bufio.NewWriterSize(f, 256<<10)
	c.enc = vegeta.NewEncoder(c.buf)
	return nil
}

func (c *collector) add(r *vegeta.Result) {
	step := stepToken
	if c.multi {
		if step = r.Headers.Get(stepHeader); step == "" {
			step = "unanswered"
		}
	}
	if strings.HasSuffix(r.Error, httpx.Interrupted) && c.end != nil && errors.Is(c.end.Err(), context.DeadlineExceeded) {
		r.Error = fmt.Sprintf("%s: %s (--duration + %s grace)", strings.TrimSuffix(r.Error, ": "+httpx.Interrupted), runEnded, c.opts.grace())
	}
	if r.Error == "" {
		if why := validate(c.opts.Profile, c.opts.Scenario, step, r); why != "" {
			r.Error = why
		}
	}
	r.Attack = c.opts.Scenario + "/" + step
	r.Body, r.Headers = nil, nil // tokens never reach the result files
	r.Error = c.clean(r.Error)   // nor do secrets a target echoes
	if strings.IndexByte(r.URL, '?') >= 0 {
		r.URL = c.red.Text(r.URL)
	}
	c.mu.Lock()
	if c.first.IsZero() {
		c.first = r.Timestamp
	}
	c.total.Add(r)
	if c.multi {
		c.stepMetrics(step).Add(r)
	}
	c.account(r, step, int64(r.Timestamp.Sub(c.first)/time.Second), r.Error == "")
	if r.Error != "" {
		c.errs.Add(1)
		c.classes[errorClass(r.Error)]++
	} else if !strings.HasSuffix(step, stepConnect) {
		c.tokens.Add(1) // a valid answer of a step that issues a token (servercost.go)
	}
	c.mu.Unlock()
	c.n.Add(1)
	if c.enc != nil && c.encErr == nil {
		c.encErr = c.enc.Encode(r)
	}
}

// stepMetrics returns step's metrics, made on first use.
func (c *collector) stepMetrics(step string) *vegeta.Metrics {
	m := c.steps[step]
	if m == nil {
		m = &vegeta.Metrics{}
		c.steps[step] = m
	}
	return m
}

// account counts a result in second sec of the timeline, and a valid one in
// the run's and its step's latency histograms (c.mu held).
func (c *collector) account(r *vegeta.Result, step string, sec int64, valid bool) {
	if end := r.Timestamp.Add(r.Latency); end.After(c.last) {
		c.last = end
	}
	s := c.seconds[sec]
	if s == nil {
		s = &second{}
		c.seconds[sec] = s
	}
	s.N++
	if !valid {
		s.Errors++
		return
	}
	us := max(1, r.Latency.Microseconds())
	c.ok++
	c.stepOK[step]++
	_ = c.hist.RecordValue(us)
	if c.multi {
		h := c.stepHst[step]
		if h == nil {
			h = newHist()
			c.stepHst[step] = h
		}
		_ = h.RecordValue(us)
	}
	if len(s.Lat) < perSecondSamples {
		s.Lat = append(s.Lat, us)
	}
}

// newHist is a latency histogram: 1 µs to 60 s, 3 significant digits.
func newHist() *hdrhistogram.Histogram { return hdrhistogram.New(1, 60_000_000, 3) }

// progress prints one line a second until the returned func is called.
func (c *collector) progress(w io.Writer) func() {
	if w == nil {
		return func() {}
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		start, last := time.Now(), uint64(0)
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				n := c.n.Load()
				c.mu.Lock()
				p50, p99 := noLatency, noLatency // of the valid responses, as in the report
				if c.hist.TotalCount() > 0 {
					p50, p99 = (time.Duration(c.hist.ValueAtQuantile(50)) * time.Microsecond).String(), (time.Duration(c.hist.ValueAtQuantile(99)) * time.Microsecond).String()
				}
				c.mu.Unlock()
				fmt.Fprintf(w, "[%4.0fs] %7d requests  %7.1f/s  p50 %-9s p99 %-9s errors %d\n",
					time.Since(start).Seconds(), n, float64(n-last), p50, p99, c.errs.Load())
				last = n
			}
		}
	}()
	return func() { close(stop); <-done }
}

// validate checks a response as the profile's answer to step; "" means valid.
func validate(p *profile.Profile, scenario, step string, r *vegeta.Result) string {
	base := step[strings.LastIndexByte(step, '.')+1:]
	if strings.HasSuffix(base, stepConnect) {
		if r.Code != http.StatusFound && r.Code != http.StatusSeeOther && r.Code != http.StatusTemporaryRedirect {
			return fmt.Sprintf("connect: HTTP %d, want a redirect", r.Code)
		}
		if codeFromLocation(r.Headers.Get("Location")) == "" {
			return "connect: no code in Location"
		}
		return ""
	}
	if (scenario == Implicit || strings.HasPrefix(step, "implicit.")) && p.ImplicitViaAuthorize() {
		return validateFragment(p, r)
	}
	if r.Code != http.StatusOK {
		return fmt.Sprintf("invalid token response: HTTP %d", r.Code)
	}
	if scenario == CustomerToken || strings.HasPrefix(step, "customer.") {
		var v struct {
			Data struct {
				Token string `json:"token"`
			} `json:"data"`
		}
		if err := json.Unmarshal(r.Body, &v); err != nil {
			return "invalid token response: body is not JSON"
		}
		if v.Data.Token == "" {
			return "invalid token response: no data.token"
		}
		return ""
	}
	access, ttype, err := tokenFields(r.Body)
	if err != nil {
		return "invalid token response: " + err.Error()
	}
	if why := p.TokenResponseProblem(access, ttype); why != "" {
		return "invalid token response: " + why
	}
	return ""
}

// validateFragment checks an implicit grant's authorization response: a
// redirect whose fragment carries a valid token response (RFC 6749 §4.2.2),
// judged by the rule verify uses (profile.TokenResponseProblem).
func validateFragment(p *profile.Profile, r *vegeta.Result) string {
	if r.Code != http.StatusFound && r.Code != http.StatusSeeOther && r.Code != http.StatusTemporaryRedirect {
		return fmt.Sprintf("invalid implicit response: HTTP %d, want a redirect with the token in its fragment (RFC 6749 §4.2.2)", r.Code)
	}
	u, err := url.Parse(r.Headers.Get("Location"))
	if err != nil {
		return "invalid implicit response: the Location is not a URL"
	}
	vals, err := url.ParseQuery(u.EscapedFragment())
	if err != nil {
		return "invalid implicit response: the fragment is not form-encoded (RFC 6749 §4.2.2)"
	}
	field := func(name string) profile.TokenField {
		if !vals.Has(name) {
			return profile.TokenField{}
		}
		return profile.StringField(vals.Get(name))
	}
	if why := p.TokenResponseProblem(field("access_token"), field("token_type")); why != "" {
		return "invalid implicit response: " + why
	}
	return ""
}

// tokenFields decodes access_token and token_type from a token response:
// scanFlat's fast path, or encoding/json when the body is beyond it.
func tokenFields(body []byte) (access, tokenType profile.TokenField, err error) {
	access, tokenType, err = scanFlat(body)
	switch {
	case err == nil:
		return access, tokenType, nil
	case errors.Is(err, errBadJSON):
		return access, tokenType, errBadJSON
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil || m == nil {
		return access, tokenType, errors.New("body is not a JSON object")
	}
	return jsonField(m, "access_token"), jsonField(m, "token_type"), nil
}

// jsonField is field name of a decoded JSON object as a profile.TokenField.
func jsonField(m map[string]json.RawMessage, name string) profile.TokenField {
	raw, ok := m[name]
	if !ok {
		return profile.TokenField{}
	}
	f := profile.TokenField{Present: true}
	var v any
	_ = json.Unmarshal(raw, &v)
	switch x := v.(type) {
	case string:
		f.IsString, f.Value, f.JSONType = true, x, "string"
	case nil:
		f.JSONType = "null"
	case bool:
		f.JSONType = "boolean"
	case float64:
		f.JSONType = "number"
	case []any:
		f.JSONType = "array"
	case map[string]any:
		f.JSONType = "object"
	}
	return f
}

// runEnded is how a request still unanswered when the run ended reads.
const runEnded = "still unanswered when the run ended"

// errorClass sorts a result's error text into an outputs.ErrorClass*:
// transport failures by httpx.Class, which reads Describe's words back.
func errorClass(e string) string {
	k := httpx.Class(e)
	switch {
	case k == httpx.KindBodyTooLarge:
		return outputs.ErrorClassBodyTooLarge
	case k == httpx.KindHeaderTooLarge:
		return outputs.ErrorClassHeaderTooLarge
	case strings.Contains(e, runEnded):
		return outputs.ErrorClassRunEnded
	case k == httpx.KindInterrupted:
		return outputs.ErrorClassInterrupted
	case k == httpx.KindTimeout:
		return outputs.ErrorClassTimeout
	case strings.HasPrefix(e, "invalid token response") || strings.HasPrefix(e, "invalid implicit response") || strings.HasPrefix(e, "connect:"):
		return outputs.ErrorClassInvalid
	case len(e) > 4 && e[3] == ' ' && e[0] >= '1' && e[0] <= '5' && strings.Trim(e[:3], "0123456789") == "":
		return outputs.ErrorClassStatus // vegeta's text for a non-2xx/3xx code: "400 Bad Request"
	case k == httpx.KindConnection:
		return outputs.ErrorClassConnection
	}
	return outputs.ErrorClassOther
}

// Report is the outcome of a run: report.json's fields (outputs.LoadReport)
// plus the raw metrics that latency.hgrm is drawn from.
type Report struct {
	outputs.LoadReport

	metrics vegeta.Metrics
	hist    *hdrhistogram.Histogram
	// plotFrom are the result files plot.html is drawn from (Merge's inputs);
	// nil: the run directory's results.bin.
	plotFrom []string
	// Warnings are what a merge (Merge) found amiss in its inputs: they
	// disagree on the profile, target, version, label or scenario, or a
	// report.json beside a result file is unreadable.
	Warnings []string
	// measures are what the SLO judges, by step ("" the whole run, FlowStep
	// the code flows).
	measures map[string]measure
}

// StepNames are the steps a report of rep has, as an SLO names them.
func (r *Report) StepNames() []string {
	var out []string
	for n := range r.measures {
		if n != "" {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// measures returns what the SLO judges, by step: the whole run (""), each
// step, and with withFlow the code flows (FlowStep). span is the run's
// (throughput is valid responses per second of it). c.mu held.
func (c *collector) measures(span time.Duration, withFlow bool) map[string]measure {
	ms := map[string]measure{"": {requests: c.total.Requests, ok: c.ok, span: span, hist: c.hist}}
	if !c.multi && c.total.Requests > 0 {
		ms[stepToken] = ms[""]
	}
	for name, m := range c.steps {
		if m != &c.total {
			ms[name] = measure{requests: m.Requests, ok: c.stepOK[name], span: span, hist: c.stepHst[name]}
		}
	}
	if !withFlow {
		return ms
	}
	if fl := c.flows.snapshot(); len(fl) > 0 {
		h := newHist()
		for _, d := range fl {
			_ = h.RecordValue(max(1, d.Microseconds()))
		}
		ms[FlowStep] = measure{requests: uint64(len(fl)), ok: uint64(len(fl)), span: span, hist: h}
	}
	return ms
}

// summarize is the latency summary of the valid responses recorded in h
// (µs), as the SLO judges them; nil when there is none (no figure that
// looks like a measurement).
func summarize(h *hdrhistogram.Histogram) *outputs.LatencySummary {
	if h == nil || h.TotalCount() == 0 {
		return nil
	}
	us := func(v int64) int64 { return int64(time.Duration(v) * time.Microsecond) }
	return &outputs.LatencySummary{Mean: int64(h.Mean() * float64(time.Microsecond)), P50: us(h.ValueAtQuantile(50)), P90: us(h.ValueAtQuantile(90)),
		P95: us(h.ValueAtQuantile(95)), P99: us(h.ValueAtQuantile(99)), Max: us(h.Max())}
}

func codes(m *vegeta.Metrics) map[string]int {
	out := map[string]int{}
	for k, v := range m.StatusCodes {
		out[k] = v
	}
	return out
}

func (c *collector) report() *Report {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total.Close()
	profName := ""
	if c.opts.Profile != nil {
		profName = c.opts.Profile.Name
	}
	rep := &Report{LoadReport: outputs.LoadReport{
		Scenario: c.opts.Scenario, Profile: profName, Target: c.opts.BaseURL,
		Rate: c.total.Rate, DurationSeconds: c.total.Duration.Seconds(), Requests: c.total.Requests,
		Latencies: summarize(c.hist), StatusCodes: codes(&c.total), Errors: append([]string{}, c.total.Errors...),
		Steps: map[string]*outputs.StepReport{},
	}, metrics: c.total, hist: c.hist}
	if len(c.classes) > 0 {
		rep.ErrorClasses = maps.Clone(c.classes)
	}
	if c.total.Requests > 0 {
		rep.SuccessRatio = float64(c.ok) / float64(c.total.Requests)
		if d := c.total.Duration + c.total.Wait; d > 0 {
			rep.Throughput = float64(c.ok) / d.Seconds()
		}
	}
	if !c.multi && c.total.Requests > 0 {
		c.steps[stepToken] = &c.total
	}
	for name, m := range c.steps {
		h := c.stepHst[name]
		if m == &c.total {
			h = c.hist
		} else {
			m.Close()
		}
		sr := &outputs.StepReport{Requests: m.Requests, Latencies: summarize(h), StatusCodes: codes(m)}
		if m.Requests > 0 {
			sr.SuccessRatio = float64(c.stepOK[name]) / float64(m.Requests)
		}
		rep.Steps[name] = sr
	}
	span := c.total.Duration + c.total.Wait
	rep.measures = c.measures(span, true)
	if fl := c.flows.snapshot(); len(fl) > 0 {
		sort.Slice(fl, func(i, j int) bool { return fl[i] < fl[j] })
		q := func(p float64) int64 { return int64(fl[min(len(fl)-1, int(p*float64(len(fl))))]) }
		var sum time.Duration
		for _, d := range fl {
			sum += d
		}
		rep.Flow = &outputs.LatencySummary{Count: int64(len(fl)), Mean: int64(sum) / int64(len(fl)), P50: q(0.5), P90: q(0.9), P95: q(0.95), P99: q(0.99), Max: int64(fl[len(fl)-1])}
	}
	secs := make([]int64, 0, len(c.seconds))
	for s := range c.seconds {
		secs = append(secs, s)
	}
	sort.Slice(secs, func(i, j int) bool { return secs[i] < secs[j] })
	for _, s := range secs {
		sd := c.seconds[s]
		lat := append([]int64(nil), sd.Lat...)
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		tp := outputs.TimelinePoint{Second: s, Requests: sd.N, Errors: sd.Errors}
		if len(lat) > 0 {
			tp.P50 = lat[len(lat)/2] * 1000
			tp.P99 = lat[min(len(lat)-1, len(lat)*99/100)] * 1000
		}
		rep.Timeline = append(rep.Timeline, tp)
	}
	return rep
}
