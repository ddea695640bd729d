package load

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/oauthconf/oauthconf/internal/outputs"
)

// SLO is a list of conditions a run must meet, e.g. "p99<50ms,success>=99.9%".
type SLO struct {
	Expr  string
	Conds []Cond
}

// Cond is one condition: a metric, an operator and a bound.
type Cond struct {
	Metric string  // p50, p90, p95, p99, max, mean, success, throughput
	Op     string  // <, <=, >, >=
	Value  float64 // nanoseconds for latencies, a ratio (0..1) for success, per second for throughput
}

var latencyMetrics = map[string]bool{"p50": true, "p90": true, "p95": true, "p99": true, "max": true, "mean": true}

// ParseSLO reads a comma-separated list of conditions. Latencies take Go
// durations (50ms), success a percentage (99.9%), throughput a number per second.
func ParseSLO(expr string) (SLO, error) {
	s := SLO{Expr: strings.TrimSpace(expr)}
	if s.Expr == "" {
		return s, nil
	}
	for _, part := range strings.Split(s.Expr, ",") {
		part = strings.TrimSpace(part)
		var op string
		for _, o := range []string{"<=", ">=", "<", ">"} {
			if strings.Contains(part, o) {
				op = o
				break
			}
		}
		if op == "" {
			return SLO{}, fmt.Errorf("slo %q: want METRIC<VALUE (operators < <= > >=)", part)
		}
		name, val, _ := strings.Cut(part, op)
		name, val = strings.TrimSpace(strings.ToLower(name)), strings.TrimSpace(val)
		c := Cond{Metric: name, Op: op}
		switch {
		case latencyMetrics[name]:
			d, err := time.ParseDuration(val)
			if err != nil {
				return SLO{}, fmt.Errorf("slo %q: %q is not a duration (e.g. 50ms)", part, val)
			}
			c.Value = float64(d)
		case name == "success":
			v, err := strconv.ParseFloat(strings.TrimSuffix(val, "%"), 64)
			if err != nil || v < 0 || v > 100 {
				return SLO{}, fmt.Errorf("slo %q: %q is not a percentage (e.g. 99.9%%)", part, val)
			}
			c.Value = v / 100
		case name == "throughput":
			v, err := strconv.ParseFloat(val, 64)
			if err != nil || v < 0 {
				return SLO{}, fmt.Errorf("slo %q: %q is not a rate per second", part, val)
			}
			c.Value = v
		default:
			return SLO{}, fmt.Errorf("slo %q: unknown metric %q (p50 p90 p95 p99 max mean success throughput)", part, name)
		}
		s.Conds = append(s.Conds, c)
	}
	return s, nil
}

// Check evaluates the SLO against a report; an empty SLO returns nil.
func (s SLO) Check(r *outputs.LoadReport) *outputs.SLOVerdict {
	if len(s.Conds) == 0 {
		return nil
	}
	res := &outputs.SLOVerdict{Expr: s.Expr, Pass: true, Violations: []string{}}
	for _, c := range s.Conds {
		var got float64
		var show func(float64) string
		switch {
		case latencyMetrics[c.Metric]:
			got = float64(latencyOf(r.Latencies, c.Metric))
			show = func(v float64) string { return time.Duration(v).Round(time.Microsecond).String() }
		case c.Metric == "success":
			got = r.SuccessRatio
			show = func(v float64) string { return strconv.FormatFloat(v*100, 'f', 3, 64) + "%" }
		default:
			got = r.Throughput
			show = func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) + "/s" }
		}
		// A tolerance, so that 999 of 1000 meets success>=99.9% despite 99.9/100
		// not being exactly 0.999 in binary floating point.
		eps := 1e-9 * math.Max(1, math.Abs(c.Value))
		ok := map[string]bool{"<": got < c.Value-eps, "<=": got <= c.Value+eps, ">": got > c.Value+eps, ">=": got >= c.Value-eps}[c.Op]
		if r.Requests == 0 {
			ok = false
		}
		if !ok {
			res.Pass = false
			res.Violations = append(res.Violations, fmt.Sprintf("%s %s %s: got %s", c.Metric, c.Op, show(c.Value), show(got)))
		}
	}
	return res
}
