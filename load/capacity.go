package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/oauthconf/oauthconf/internal/httpx"
	"github.com/oauthconf/oauthconf/internal/outputs"
)

// DefaultCapacityProbes bounds a capacity search.
const DefaultCapacityProbes = 10

// capacityTolerance is how far below the asked rate a probe's achieved rate
// may fall and still count: 5 %.
const capacityTolerance = 0.05

// Capacity is the outcome of FindCapacity.
type Capacity struct {
	// Rate is the highest probed rate that met the SLO (0 if none did).
	Rate int
	// Outcome says what Rate is: outputs.CapacityFound, CapacityLowerBound,
	// CapacityGenerator or CapacityInterrupted.
	Outcome string
	// MaxRate is the search's ceiling (0: none).
	MaxRate int
	// GeneratorLimit is the achieved rate of the probe this machine could not
	// drive at its asked rate (0 if none).
	GeneratorLimit float64
	// Probes lists every probe run, in order.
	Probes []CapacityProbe
}

// CapacityProbe is one probe of a capacity search.
type CapacityProbe struct {
	Rate int
	// Achieved is the rate the probe sent: requests per second of its duration.
	Achieved float64
	Pass     bool
	// Verdict is met, missed, generator_limit or interrupted.
	Verdict string
	Report  *Report
}

// Probe verdicts (CapacityProbe.Verdict).
const (
	ProbeMet         = "met"
	ProbeMissed      = "missed"
	ProbeGenerator   = outputs.CapacityGenerator
	ProbeInterrupted = outputs.CapacityInterrupted
)

// FindCapacity searches for the highest rate that still meets o.SLO: it
// doubles the rate from o.Rate (default 50) until a probe fails or maxRate
// (if > 0) is reached, then bisects between the last pass and the first
// failure. A probe counts only when it ran to its end and sent within 5 % of
// its rate; a probe this machine could not drive ends the search (the
// result is a lower bound set by the generator), and so does an interrupted
// one. Each probe runs for o.Duration; at most maxProbes probes run
// (DefaultCapacityProbes if 0), so the search is bounded in time and
// requests. Probes write no files.
func FindCapacity(ctx context.Context, o Options, maxProbes, maxRate int, progress io.Writer) (*Capacity, error) {
	if len(o.SLO.Conds) == 0 {
		return nil, errors.New("load: --find-capacity needs an --slo to test each rate against")
	}
	if maxProbes <= 0 {
		maxProbes = DefaultCapacityProbes
	}
	rate := o.Rate
	if rate <= 0 {
		rate = 50
	}
	if maxRate > 0 {
		rate = min(rate, maxRate)
	}
	o.OutDir, o.Ramp, o.MaxRequests = "", nil, 0
	res := &Capacity{Outcome: outputs.CapacityLowerBound, MaxRate: maxRate}
	lo, hi := 0, 0 // highest pass, lowest failure
	for i := 0; i < maxProbes; i++ {
		o.Rate = rate
		rep, err := Run(ctx, o)
		if err != nil {
			return res, err
		}
		p := judgeProbe(rate, o.Duration, rep)
		res.Probes = append(res.Probes, p)
		if progress != nil {
			fmt.Fprintf(progress, "capacity probe %d: %d req/s %s\n", i+1, rate, probeWords(p))
		}
		switch p.Verdict {
		case ProbeInterrupted:
			res.Outcome = outputs.CapacityInterrupted
			return res, ctx.Err()
		case ProbeGenerator:
			res.Outcome, res.GeneratorLimit = outputs.CapacityGenerator, p.Achieved
			return res, nil
		case ProbeMet:
			lo, res.Rate = rate, rate
		default:
			hi = rate
		}
		next, done := nextRate(lo, hi, maxRate)
		if done {
			if hi > 0 {
				res.Outcome = outputs.CapacityFound
			}
			return res, nil
		}
		rate = next
	}
	if hi > 0 { // the probes ran out with a failure above the pass
		res.Outcome = outputs.CapacityFound
	}
	return res, nil
}

// nextRate is the search's next probe: doubling (up to maxRate) until a
// failure, then bisection; done when the bracket is within 5 % or no probe
// failed at maxRate.
func nextRate(lo, hi, maxRate int) (int, bool) {
	switch {
	case hi == 0 && maxRate > 0 && lo >= maxRate:
		return 0, true
	case hi == 0 && maxRate > 0:
		return min(lo*2, maxRate), false
	case hi == 0:
		return lo * 2, false
	case hi-lo <= max(1, hi/20): // within 5%: good enough
		return 0, true
	}
	return (lo + hi) / 2, false
}

// judgeProbe decides a probe: interrupted, the generator's limit (it sent
// less than 95 % of its rate, give or take one request), or the SLO met or
// missed (a probe --slo-abort stopped missed it, whatever it sent).
func judgeProbe(rate int, d time.Duration, rep *Report) CapacityProbe {
	p := CapacityProbe{Rate: rate, Report: rep, Achieved: float64(rep.Requests) / d.Seconds()}
	switch {
	case rep.Interrupted:
		p.Verdict = ProbeInterrupted
	case rep.SLO != nil && rep.SLO.Aborted != nil:
		p.Verdict = ProbeMissed // --slo-abort stopped it on a breach: missed, sooner
	case float64(rep.Requests)+1 < float64(rate)*d.Seconds()*(1-capacityTolerance):
		// One request of slack: a short probe sends few, and a late last
		// tick is not the generator's limit.
		p.Verdict = ProbeGenerator
	case rep.SLO != nil && rep.SLO.Pass:
		p.Verdict, p.Pass = ProbeMet, true
	default:
		p.Verdict = ProbeMissed
	}
	return p
}

// probeWords is a probe's verdict in a progress line.
func probeWords(p CapacityProbe) string {
	switch p.Verdict {
	case ProbeInterrupted:
		return "interrupted (not counted)"
	case ProbeGenerator:
		return fmt.Sprintf("not counted: the generator reached only %.0f req/s of the %d asked", p.Achieved, p.Rate)
	case ProbeMet:
		return "meets the SLO"
	}
	w := "misses it"
	if p.Report.SLO != nil && len(p.Report.SLO.Violations) > 0 {
		w += ": " + p.Report.SLO.Violations[0]
	}
	return w
}

// Summary says in one sentence what the search found (the CLI prints it).
func (c *Capacity) Summary(slo string) string {
	n := len(c.Probes)
	switch c.Outcome {
	case outputs.CapacityInterrupted:
		if c.Rate > 0 {
			return fmt.Sprintf("capacity: interrupted after %d probes; at least %d req/s met %s before (a lower bound)", n, c.Rate, slo)
		}
		return fmt.Sprintf("capacity: interrupted after %d probes, before any rate met %s", n, slo)
	case outputs.CapacityGenerator:
		last := c.Probes[n-1]
		s := fmt.Sprintf("capacity: the generator reached only %.0f req/s of the %d asked: the result is a lower bound set by this machine, not the target", c.GeneratorLimit, last.Rate)
		if c.Rate > 0 {
			s += fmt.Sprintf("; at least %d req/s met %s", c.Rate, slo)
		}
		return s
	case outputs.CapacityFound:
		if c.Rate == 0 {
			return fmt.Sprintf("capacity: no probed rate met the SLO %s", slo)
		}
		return fmt.Sprintf("capacity: %d req/s meets %s; %d req/s missed it (%d probes)", c.Rate, slo, c.lowestFailure(), n)
	}
	if c.Rate == 0 {
		return fmt.Sprintf("capacity: no probed rate met the SLO %s", slo)
	}
	if c.MaxRate > 0 && c.Rate >= c.MaxRate {
		return fmt.Sprintf("capacity: at least %d req/s (no probe failed up to --max-rate); %s held at every probe (%d probes)", c.Rate, slo, n)
	}
	return fmt.Sprintf("capacity: at least %d req/s (no probe failed in %d probes; raise --probes or set --max-rate): a lower bound for %s", c.Rate, n, slo)
}

// lowestFailure is the lowest probed rate that missed the SLO.
func (c *Capacity) lowestFailure() int {
	low := 0
	for _, p := range c.Probes {
		if p.Verdict == ProbeMissed && (low == 0 || p.Rate < low) {
			low = p.Rate
		}
	}
	return low
}

// WriteCapacity writes DIR/load/capacity.json: the SLO, the rate found and
// every probe's verdict and headline numbers.
func WriteCapacity(dir string, slo SLO, c *Capacity) error {
	out := outputs.Capacity{SLO: slo.Expr, Rate: c.Rate, Outcome: c.Outcome, MaxRate: c.MaxRate, GeneratorLimit: c.GeneratorLimit}
	for _, p := range c.Probes {
		pr := outputs.CapacityProbe{Rate: p.Rate, Achieved: p.Achieved, Pass: p.Pass, Verdict: p.Verdict, Violations: []string{}}
		if p.Report != nil {
			pr.Requests, pr.Success = p.Report.Requests, p.Report.SuccessRatio
			if l := p.Report.Latencies; l != nil {
				pr.P99 = l.P99 // of the valid responses; 0 when none was valid
			}
			if p.Report.SLO != nil {
				pr.Violations = p.Report.SLO.Violations
			}
		}
		out.Probes = append(out.Probes, pr)
	}
	b, err := outputs.Marshal(out, false) // keep "p99<50ms" readable
	if err != nil {
		return fmt.Errorf("load: capacity.json: %w", err)
	}
	path := filepath.Join(dir, filepath.FromSlash(outputs.CapacityPath))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	return nil
}

// Probe checks that the target answers HTTP at all (any status, redirects
// not followed) before a run, so that an unreachable target is a clear error
// instead of a run of errors. Its error says in words how far the request got
// (see httpx.Client.Probe); response headers are bounded as in the run.
func Probe(ctx context.Context, rawURL string, timeout time.Duration) error {
	return ProbeVia(ctx, rawURL, timeout, nil)
}

// ProbeVia is Probe through rt (the run's Options.Transport: its TLS roots,
// client certificate, headers); nil is the default transport.
func ProbeVia(ctx context.Context, rawURL string, timeout time.Duration, rt http.RoundTripper) error {
	opts := []httpx.Option{httpx.WithTimeout(timeout)}
	if rt != nil {
		opts = append(opts, httpx.WithHTTPClient(&http.Client{Transport: rt}))
	}
	err := httpx.New(opts...).Probe(ctx, rawURL, 0)
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return fmt.Errorf("target %s: check interrupted: %w", rawURL, ctx.Err())
	}
	words := httpx.Describe(err)
	if httpx.Class(words) == httpx.KindTimeout {
		words += " (--timeout)"
	}
	return fmt.Errorf("target %s does not answer: %s", rawURL, words)
}
