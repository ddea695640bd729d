package load

import (
	"context"
	"errors"
	"fmt"
	"io"
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
