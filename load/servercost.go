package load

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/oauthconf/oauthconf/internal/outputs"
	"github.com/oauthconf/oauthconf/internal/proc"
	"github.com/oauthconf/oauthconf/internal/redact"
)

// DefaultServerSampleEvery is how often load --server-pid samples the
// target's process (Options.ServerSampleEvery).
const DefaultServerSampleEvery = 200 * time.Millisecond

// Thresholds of the memory-growth warning (outputs.MemoryGrowth.Steady): a
// line fitted to RSS over the second half of the run (the first half is
// the server's warm-up: pools, caches, heap targets) that rises, fits well
// (a step, or a garbage collector's saw-tooth, fits badly) and would add a
// sizeable amount over the window.
const (
	LeakMinR2        = 0.9
	LeakMinGrowth    = 8 << 20 // bytes of fitted growth over the window
	LeakMinShare     = 0.10    // … and this share of the window's first RSS
	leakMinSamples   = 5
	leakMinWindow    = time.Second
	maxServerSamples = 600 // in report.json's series
)

// serverSample is one reading of the target's process.
type serverSample struct {
	at time.Time
	proc.Stat
	tokens uint64 // valid token responses counted by then
}

// serverSampler samples the target's process (load --server-pid) during a
// run: once at start, on every tick, once at finish. Its fields are set
// before start; samples and the exit are written by its goroutine and read
// after finish.
type serverSampler struct {
	info   proc.Info
	every  time.Duration
	read   func() (proc.Stat, error)
	now    func() time.Time
	ticker func(time.Duration) (<-chan time.Time, func())
	tokens func() uint64

	samples  []serverSample
	exitedAt time.Time // zero while the process ran
	failure  error     // sampling stopped for another reason
	stop     chan struct{}
	done     chan struct{}
	once     sync.Once
}

// CheckServerPID reports whether load --server-pid pid can be sampled on
// this machine (Linux, a running process that can be read), as Run checks
// it, and whether it is the process behind target: it must own a socket
// listening on target's port (see proc.ListensOn), so that a command can
// refuse a wrong process before it sends any request. Run does not check
// the port. When that cannot be told (another user's process, a container),
// the error is nil and warning says so.
func CheckServerPID(pid int, target string) (warning string, err error) {
	return checkServerPID(Options{ServerPID: pid, BaseURL: target})
}

func checkServerPID(o Options) (string, error) {
	s, err := newServerSampler(o, func() uint64 { return 0 })
	if err != nil {
		return "", err
	}
	port, err := urlPort(o.BaseURL)
	if err != nil {
		return "", fmt.Errorf("load: --server-pid: %w", err)
	}
	l, err := proc.ListensOn(o.procRoot, o.ServerPID, port)
	if err != nil {
		return fmt.Sprintf("load: --server-pid %d: cannot check that it listens on port %d of --target (%v); measuring it anyway", o.ServerPID, port, err), nil
	}
	if l.Listens {
		return "", nil
	}
	there := "none"
	switch {
	case l.Sockets > 0 && len(l.Holders) == 0:
		there = fmt.Sprintf("%d socket(s), of processes this user may not inspect", l.Sockets)
	case len(l.Holders) > 0:
		names := make([]string, len(l.Holders))
		for i, h := range l.Holders {
			names[i] = fmt.Sprintf("%d (%s)", h.PID, redact.EscapeLine(h.Name))
		}
		there = strings.Join(names, ", ")
	}
	return "", fmt.Errorf("load: --server-pid %d: process %d (%s) does not listen on port %d of --target; the processes listening there: %s", o.ServerPID, o.ServerPID, s.info.Name, port, there)
}

// urlPort is the TCP port of a base URL: its own, else its scheme's.
func urlPort(base string) (int, error) {
	u, err := url.Parse(base)
	if err != nil {
		return 0, fmt.Errorf("--target %q: %w", base, err)
	}
	if p := u.Port(); p != "" {
		return strconv.Atoi(p)
	}
	switch u.Scheme {
	case "http":
		return 80, nil
	case "https":
		return 443, nil
	}
	return 0, fmt.Errorf("--target %q has no port", base)
}

// newServerSampler checks that o.ServerPID can be sampled (before the run
// sends a request) and returns its sampler; nil without o.ServerPID.
func newServerSampler(o Options, tokens func() uint64) (*serverSampler, error) {
	if o.ServerPID == 0 {
		return nil, nil
	}
	if o.ServerPID == os.Getpid() {
		return nil, fmt.Errorf("load: --server-pid %d is this process, the load generator: its CPU would count the load's own", o.ServerPID)
	}
	info, err := proc.Open(o.procRoot, o.ServerPID)
	info.Name = redact.EscapeLine(info.Name) // a process names itself: shown in every report
	if errors.Is(err, proc.ErrExited) {
		return nil, fmt.Errorf("load: --server-pid %d: no such running process (%w)", o.ServerPID, err)
	}
	if err != nil {
		return nil, fmt.Errorf("load: --server-pid %d cannot be sampled: %w", o.ServerPID, err)
	}
	every := o.ServerSampleEvery
	if every <= 0 {
		every = DefaultServerSampleEvery
	}
	root, pid := o.procRoot, o.ServerPID
	return &serverSampler{
		info: info, every: every, now: time.Now, tokens: tokens,
		read: func() (proc.Stat, error) { return proc.Read(root, pid) },
		ticker: func(d time.Duration) (<-chan time.Time, func()) {
			t := time.NewTicker(d)
			return t.C, t.Stop
		},
	}, nil
}

// sample reads the process once; false when sampling is over (it exited,
// or could no longer be read).
func (s *serverSampler) sample() bool {
	st, err := s.read()
	at := s.now()
	switch {
	case errors.Is(err, proc.ErrExited):
		s.exitedAt = at
		return false
	case err != nil:
		s.failure = err
		return false
	}
	s.samples = append(s.samples, serverSample{at: at, Stat: st, tokens: s.tokens()})
	return true
}

// start takes the first sample and samples on every tick until finish.
func (s *serverSampler) start() {
	if s == nil {
		return
	}
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	if !s.sample() {
		close(s.done)
		return
	}
	tick, stopTicker := s.ticker(s.every)
	go func() {
		defer close(s.done)
		defer stopTicker()
		for {
			select {
			case <-s.stop:
				return
			case <-tick:
				if !s.sample() {
					return
				}
			}
		}
	}()
}

// finish stops the sampling, takes the last sample and returns the cost;
// nil for a nil sampler.
func (s *serverSampler) finish() *outputs.ServerCost {
	if s == nil {
		return nil
	}
	s.once.Do(func() { close(s.stop) })
	<-s.done
	if s.exitedAt.IsZero() && s.failure == nil {
		s.sample()
	}
	return s.cost()
}

// cost turns the samples into report.json's server object.
func (s *serverSampler) cost() *outputs.ServerCost {
	c := &outputs.ServerCost{PID: s.info.PID, Command: s.info.Name, Samples: len(s.samples),
		IntervalSeconds: s.every.Seconds(), CPUTickSeconds: proc.Tick.Seconds()}
	if len(s.samples) > 0 {
		first, last := s.samples[0], s.samples[len(s.samples)-1]
		c.SpanSeconds = last.at.Sub(first.at).Seconds()
		c.CPUSeconds = (last.CPU - first.CPU).Seconds()
		if c.SpanSeconds > 0 {
			c.CPUCores = c.CPUSeconds / c.SpanSeconds
		}
		c.Tokens = last.tokens - first.tokens
		c.RSSStartBytes, c.RSSEndBytes = first.RSS, last.RSS
		for _, x := range s.samples {
			c.RSSPeakBytes = max(c.RSSPeakBytes, x.RSS)
		}
		if c.Tokens > 0 {
			c.CPUMicrosPerToken = c.CPUSeconds * 1e6 / float64(c.Tokens)
			c.RSSGrowthPer1000Tokens = (float64(last.RSS) - float64(first.RSS)) * 1000 / float64(c.Tokens)
		}
		c.Series = thinSamples(s.samples, maxServerSamples)
		if g := memoryGrowth(s.samples); g != nil {
			c.Growth = g
		}
	}
	c.Warnings = s.warnings(c)
	return c
}

// warnings words what the reader must know about c: memory that grew
// steadily, the process exiting or becoming unreadable mid-run, no CPU time
// at all while tokens were issued (the wrong process?), a CPU time too
// small for the clock tick's resolution.
func (s *serverSampler) warnings(c *outputs.ServerCost) []string {
	var w []string
	if g := c.Growth; g != nil && g.Steady {
		rate := "+" + outputs.IECBytes(g.SlopeBytesPerSecond) + " per second"
		if g.Per1000TokensBytes > 0 {
			rate = "+" + outputs.IECBytes(g.Per1000TokensBytes) + " per 1,000 tokens"
		}
		w = append(w, fmt.Sprintf("RSS grew steadily: %s over the last %.0f s (possible leak)", rate, g.WindowSeconds))
	}
	if !s.exitedAt.IsZero() {
		at := 0.0
		if len(s.samples) > 0 {
			at = s.exitedAt.Sub(s.samples[0].at).Seconds()
			c.ExitedAtSeconds = &at
		}
		w = append(w, fmt.Sprintf("server process %d exited at %.1f s into the run (%s): the figures cover the run until then", s.info.PID, at, s.exitedAt.Format("15:04:05.0")))
	}
	if s.failure != nil {
		w = append(w, fmt.Sprintf("sampling server process %d stopped: %v", s.info.PID, s.failure))
	}
	switch {
	case c.Tokens > 0 && c.CPUSeconds < c.CPUTickSeconds:
		w = append(w, fmt.Sprintf("the process spent no measurable CPU (under one %.0f ms clock tick) while %d tokens were issued: is it the target's?", c.CPUTickSeconds*1000, c.Tokens))
	case c.Tokens > 0 && c.CPUSeconds < 10*c.CPUTickSeconds:
		w = append(w, fmt.Sprintf("CPU time %.0f ms is within 10 clock ticks of %.0f ms: the CPU figures are coarse; run longer", c.CPUSeconds*1000, c.CPUTickSeconds*1000))
	}
	return w
}

// memoryGrowth fits a line to RSS over time in the second half of the
// samples (by time); nil when that half is too short to judge (under 1 s or
// 5 samples).
func memoryGrowth(samples []serverSample) *outputs.MemoryGrowth {
	if len(samples) < 2 {
		return nil
	}
	first, last := samples[0].at, samples[len(samples)-1].at
	mid := first.Add(last.Sub(first) / 2)
	var win []serverSample
	for _, x := range samples {
		if !x.at.Before(mid) {
			win = append(win, x)
		}
	}
	if len(win) < leakMinSamples || last.Sub(mid) < leakMinWindow { // a run of 2 s at least
		return nil
	}
	xs, ys := make([]float64, len(win)), make([]float64, len(win))
	for i, x := range win {
		xs[i], ys[i] = x.at.Sub(win[0].at).Seconds(), float64(x.RSS)
	}
	slope, r2 := fitLine(xs, ys)
	window := xs[len(xs)-1]
	g := &outputs.MemoryGrowth{WindowSeconds: window, Samples: len(win), SlopeBytesPerSecond: slope, R2: r2}
	if tokens := win[len(win)-1].tokens - win[0].tokens; tokens > 0 {
		g.Per1000TokensBytes = slope * window * 1000 / float64(tokens)
	}
	growth := slope * window
	g.Steady = slope > 0 && r2 >= LeakMinR2 && growth >= LeakMinGrowth && growth >= LeakMinShare*float64(win[0].RSS)
	return g
}

// fitLine is the least-squares line through (xs, ys): its slope and R² (the
// share of ys' variance the line explains; 0 when ys or xs do not vary).
func fitLine(xs, ys []float64) (slope, r2 float64) {
	n := float64(len(xs))
	var mx, my float64
	for i := range xs {
		mx += xs[i] / n
		my += ys[i] / n
	}
	var sxx, sxy, syy float64
	for i := range xs {
		dx, dy := xs[i]-mx, ys[i]-my
		sxx += dx * dx
		sxy += dx * dy
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return 0, 0
	}
	return sxy / sxx, sxy * sxy / (sxx * syy)
}

// thinSamples keeps at most n of the samples, evenly spaced, always the
// first and the last, as report.json's series.
func thinSamples(samples []serverSample, n int) []outputs.ServerSample {
	step := max(1, (len(samples)+n-1)/n)
	var out []outputs.ServerSample
	for i := 0; i < len(samples); i += step {
		out = append(out, seriesPoint(samples[0], samples[i]))
	}
	if last := len(samples) - 1; last%step != 0 {
		out = append(out, seriesPoint(samples[0], samples[last]))
	}
	return out
}

func seriesPoint(first, x serverSample) outputs.ServerSample {
	return outputs.ServerSample{Second: x.at.Sub(first.at).Seconds(), CPUSeconds: (x.CPU - first.CPU).Seconds(), RSSBytes: x.RSS, Tokens: x.tokens - first.tokens}
}

// writeServerCost writes the text report's lines about the target's process
// (nothing without --server-pid).
func writeServerCost(w io.Writer, c *outputs.ServerCost) {
	if c == nil {
		return
	}
	fmt.Fprintf(w, "Server        %s\n", c.Summary())
	for _, warn := range c.Warnings {
		fmt.Fprintf(w, "Server        WARNING %s\n", warn)
	}
}
