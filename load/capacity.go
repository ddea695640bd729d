package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/oauthconf/oauthconf/internal/httpx"
	"github.com/oauthconf/oauthconf/internal/outputs"
)

// DefaultCapacityProbes bounds a capacity search.
const DefaultCapacityProbes = 10

// Capacity is the outcome of FindCapacity.
type Capacity struct {
	// Rate is the highest probed rate that met the SLO (0 if none did).
	Rate int
	// Probes lists every probe run, in order.
	Probes []CapacityProbe
}

// CapacityProbe is one probe of a capacity search.
type CapacityProbe struct {
	Rate   int
	Pass   bool
	Report *Report
}

// FindCapacity searches for the highest rate that still meets o.SLO: it
// doubles the rate from o.Rate (default 50) until a probe fails, then bisects
// between the last pass and the first failure. Each probe runs for o.Duration;
// at most maxProbes probes run (DefaultCapacityProbes if 0), so the search is
// bounded in time and requests. Probes write no files.
func FindCapacity(ctx context.Context, o Options, maxProbes int, progress io.Writer) (*Capacity, error) {
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
	o.OutDir, o.Ramp, o.MaxRequests = "", nil, 0
	res := &Capacity{}
	lo, hi := 0, 0 // highest pass, lowest failure
	for i := 0; i < maxProbes && ctx.Err() == nil; i++ {
		o.Rate = rate
		rep, err := Run(ctx, o)
		if err != nil {
			return res, err
		}
		pass := rep.SLO != nil && rep.SLO.Pass && !rep.Interrupted
		res.Probes = append(res.Probes, CapacityProbe{Rate: rate, Pass: pass, Report: rep})
		if progress != nil {
			verdict := "meets the SLO"
			if !pass {
				verdict = "misses it"
				if rep.SLO != nil && len(rep.SLO.Violations) > 0 {
					verdict += ": " + rep.SLO.Violations[0]
				}
			}
			fmt.Fprintf(progress, "capacity probe %d: %d req/s %s\n", i+1, rate, verdict)
		}
		if pass {
			lo = rate
			res.Rate = rate
		} else {
			hi = rate
		}
		switch {
		case hi == 0:
			rate *= 2
		case hi-lo <= max(1, hi/20): // within 5%: good enough
			return res, nil
		default:
			rate = (lo + hi) / 2
		}
	}
	return res, ctx.Err()
}

// WriteCapacity writes DIR/load/capacity.json: the SLO, the rate found and
// every probe's verdict and headline numbers.
func WriteCapacity(dir string, slo SLO, c *Capacity) error {
	out := outputs.Capacity{SLO: slo.Expr, Rate: c.Rate}
	for _, p := range c.Probes {
		pr := outputs.CapacityProbe{Rate: p.Rate, Pass: p.Pass, Violations: []string{}}
		if p.Report != nil {
			pr.Requests, pr.Success, pr.P99 = p.Report.Requests, p.Report.SuccessRatio, p.Report.Latencies.P99
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
	if strings.Contains(words, "timed out") {
		words += " (--timeout)"
	}
	return fmt.Errorf("target %s does not answer: %s", rawURL, words)
}
