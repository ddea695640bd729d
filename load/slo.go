package load

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/oauthconf/oauthconf/internal/outputs"
)

// SLO is a list of conditions a run must meet, e.g.
// "exchange.p99<50ms,p99.9<200ms,error_rate<0.1%", as k6's thresholds.
type SLO struct {
	Expr  string
	Conds []Cond
}

// Cond is one condition, [STEP.]METRIC OP VALUE.
type Cond struct {
	// Step is the step judged ("" for the whole run): a step of the load
	// report (token, connect, exchange, seed, cc.token, code.exchange, …) or
	// flow, the end-to-end latency of authorization-code flows.
	Step string
	// Metric is pNN or pNN.N (a percentile up to p99.9), max, mean, success,
	// error_rate or throughput.
	Metric string
	Op     string  // <, <=, >, >=
	Value  float64 // nanoseconds for latencies, a ratio (0..1) for success and error_rate, per second for throughput
}

// Name is the condition's [STEP.]METRIC.
func (c Cond) Name() string {
	if c.Step == "" {
		return c.Metric
	}
	return c.Step + "." + c.Metric
}

// FlowStep names the end-to-end code-flow latency in an SLO (flow.p99<300ms).
const FlowStep = "flow"

// fixedMetrics are the metrics that are no percentile.
var fixedMetrics = []string{"max", "mean", "success", "error_rate", "throughput"}

// quantile returns the percentile a pNN or pNN.N metric names (0 < q ≤ 99.9).
func quantile(m string) (float64, bool) {
	digits, ok := strings.CutPrefix(m, "p")
	whole, frac, dotted := strings.Cut(digits, ".")
	if !ok || len(whole) < 1 || len(whole) > 2 || (dotted && len(frac) != 1) || strings.Trim(whole+frac, "0123456789") != "" {
		return 0, false
	}
	q, err := strconv.ParseFloat(digits, 64)
	return q, err == nil && q > 0 && q < 100
}

func isMetric(m string) bool {
	_, ok := quantile(m)
	return ok || slices.Contains(fixedMetrics, m)
}

// isLatency reports whether a metric is a latency (a duration).
func isLatency(m string) bool {
	_, ok := quantile(m)
	return ok || m == "max" || m == "mean"
}

// splitName splits [STEP.]METRIC: the whole name when it is a metric, else
// at the first dot after which a metric follows (steps hold dots, cc.token,
// and so does p99.9).
func splitName(name string) (step, metric string, ok bool) {
	if isMetric(name) {
		return "", name, true
	}
	for i := 0; i < len(name); i++ {
		if name[i] == '.' && i > 0 && isMetric(name[i+1:]) {
			return name[:i], name[i+1:], true
		}
	}
	return "", "", false
}

// ParseSLO reads a comma-separated list of [STEP.]METRIC OP VALUE
// conditions. Latencies take Go durations (50ms), success and error_rate a
// percentage (99.9%, 0.1%), throughput a number per second. Steps are
// checked against a run's steps by CheckSteps (Run does it).
func ParseSLO(expr string) (SLO, error) {
	s := SLO{Expr: strings.TrimSpace(expr)}
	if s.Expr == "" {
		return s, nil
	}
	for _, part := range strings.Split(s.Expr, ",") {
		c, err := parseCond(strings.TrimSpace(part))
		if err != nil {
			return SLO{}, err
		}
		s.Conds = append(s.Conds, c)
	}
	return s, nil
}

func parseCond(part string) (Cond, error) {
	var op string
	for _, o := range []string{"<=", ">=", "<", ">"} {
		if strings.Contains(part, o) {
			op = o
			break
		}
	}
	if op == "" {
		return Cond{}, fmt.Errorf("slo %q: want [STEP.]METRIC<VALUE (operators < <= > >=)", part)
	}
	name, val, _ := strings.Cut(part, op)
	name, val = strings.TrimSpace(strings.ToLower(name)), strings.TrimSpace(val)
	step, metric, ok := splitName(name)
	if !ok {
		return Cond{}, fmt.Errorf("slo %q: unknown metric %q (pNN or pNN.N up to p99.9, max, mean, success, error_rate, throughput, optionally after STEP.)", part, name)
	}
	c := Cond{Step: step, Metric: metric, Op: op}
	switch {
	case isLatency(metric):
		d, err := time.ParseDuration(val)
		if err != nil {
			return Cond{}, fmt.Errorf("slo %q: %q is not a duration (e.g. 50ms)", part, val)
		}
		c.Value = float64(d)
	case metric == "success" || metric == "error_rate":
		v, err := strconv.ParseFloat(strings.TrimSuffix(val, "%"), 64)
		if err != nil || v < 0 || v > 100 {
			return Cond{}, fmt.Errorf("slo %q: %q is not a percentage (e.g. 99.9%%)", part, val)
		}
		c.Value = v / 100
	default:
		v, err := strconv.ParseFloat(val, 64)
		if err != nil || v < 0 {
			return Cond{}, fmt.Errorf("slo %q: %q is not a rate per second", part, val)
		}
		c.Value = v
	}
	return c, nil
}

// CheckSteps returns an error naming the first condition whose step is not
// one of known (the steps a run has), with the known ones.
func (s SLO) CheckSteps(known []string) error {
	for _, c := range s.Conds {
		if c.Step != "" && !slices.Contains(known, c.Step) {
			k := slices.Clone(known)
			slices.Sort(k)
			return fmt.Errorf("slo %s: unknown step %q (this run's steps: %s)", c.Name(), c.Step, strings.Join(k, ", "))
		}
	}
	return nil
}

// scaled returns the SLO with its throughput bounds multiplied by f: a
// shard judges its share of a run's throughput.
func (s SLO) scaled(f float64) SLO {
	out := SLO{Expr: s.Expr, Conds: slices.Clone(s.Conds)}
	for i, c := range out.Conds {
		if c.Metric == "throughput" {
			out.Conds[i].Value = c.Value * f
		}
	}
	return out
}

// measure is what a condition judges: a step's (or the run's) requests,
// valid responses, span, and the latencies of the valid responses.
type measure struct {
	requests, ok uint64
	span         time.Duration
	hist         *hdrhistogram.Histogram // µs; nil or empty: no valid response
}

// Check evaluates the SLO against a report; an empty SLO returns nil.
func (s SLO) Check(r *Report) *outputs.SLOVerdict {
	return s.check(r.measures)
}

// check judges every condition on ms (by step; "" is the whole run).
func (s SLO) check(ms map[string]measure) *outputs.SLOVerdict {
	if len(s.Conds) == 0 {
		return nil
	}
	res := &outputs.SLOVerdict{Expr: s.Expr, Pass: true, Violations: []string{}}
	for _, c := range s.Conds {
		shown, ok := judge(c, ms[c.Step])
		cond := c.Name() + c.Op + showValue(c.Metric, c.Value)
		res.Conditions = append(res.Conditions, outputs.SLOCondition{Cond: cond, Got: shown, Pass: ok})
		if !ok {
			res.Pass = false
			res.Violations = append(res.Violations, fmt.Sprintf("%s %s %s: got %s", c.Name(), c.Op, showValue(c.Metric, c.Value), shown))
		}
	}
	return res
}

// judge evaluates one condition: the value shown and whether it holds. A
// step without requests meets no condition, nor does a latency without a
// valid response to measure.
func judge(c Cond, m measure) (string, bool) {
	if m.requests == 0 {
		return "no requests", false
	}
	var got float64
	switch q, isQ := quantile(c.Metric); {
	case isQ || c.Metric == "max" || c.Metric == "mean":
		if m.hist == nil || m.hist.TotalCount() == 0 {
			return "no valid response", false
		}
		got = float64(time.Duration(m.hist.Max()) * time.Microsecond)
		if isQ {
			got = float64(time.Duration(m.hist.ValueAtQuantile(q)) * time.Microsecond)
		} else if c.Metric == "mean" {
			got = m.hist.Mean() * float64(time.Microsecond)
		}
	case c.Metric == "success":
		got = float64(m.ok) / float64(m.requests)
	case c.Metric == "error_rate":
		got = 1 - float64(m.ok)/float64(m.requests)
	default:
		if m.span > 0 {
			got = float64(m.ok) / m.span.Seconds()
		}
	}
	// A tolerance, so that 999 of 1000 meets success>=99.9% despite 99.9/100
	// not being exactly 0.999 in binary floating point.
	eps := 1e-9 * math.Max(1, math.Abs(c.Value))
	ok := map[string]bool{"<": got < c.Value-eps, "<=": got <= c.Value+eps, ">": got > c.Value+eps, ">=": got >= c.Value-eps}[c.Op]
	return showValue(c.Metric, got), ok
}

// showValue formats a metric's value: a duration, a percentage or a rate.
func showValue(metric string, v float64) string {
	switch {
	case isLatency(metric):
		if d := time.Duration(v); d < time.Microsecond {
			return d.String() // a bound below 1µs (p50<1ns) is shown as given
		}
		return time.Duration(v).Round(time.Microsecond).String()
	case metric == "success" || metric == "error_rate":
		return strconv.FormatFloat(v*100, 'f', 3, 64) + "%"
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + "/s"
}

// Defaults of the abort on breach (Options.SLOAbort).
const (
	DefaultAbortGrace       = 3 * time.Second
	DefaultAbortMinRequests = 50
)

// watchSLO, when o.SLOAbort is set, checks slo every second once the
// grace has passed and calls stop at the first breach of a condition whose
// step has enough requests to judge (o.AbortMinRequests), recording when and
// which in c.aborted. The returned func ends the watch and waits for it.
func (c *collector) watchSLO(o Options, slo SLO, stop func()) func() {
	if !o.SLOAbort || len(slo.Conds) == 0 {
		return func() {}
	}
	grace, minReq := o.AbortGrace, o.AbortMinRequests
	if grace <= 0 {
		grace = DefaultAbortGrace
	}
	if minReq == 0 {
		minReq = DefaultAbortMinRequests
	}
	withFlow := slices.ContainsFunc(slo.Conds, func(c Cond) bool { return c.Step == FlowStep })
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		start := time.Now()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
			}
			at := time.Since(start)
			if at < grace {
				continue
			}
			c.mu.Lock()
			breach := slo.breach(c.measures(c.last.Sub(c.first), withFlow), minReq)
			if breach != "" {
				c.aborted = &outputs.SLOAbort{AtSeconds: math.Round(at.Seconds()*10) / 10, Violation: breach}
			}
			c.mu.Unlock()
			if breach != "" {
				stop()
				return
			}
		}
	}()
	return func() { close(quit); <-done }
}

// breach is the first violated condition among those whose step has at
// least minReq requests (and, for a latency, a valid response), or "".
func (s SLO) breach(ms map[string]measure, minReq uint64) string {
	for _, c := range s.Conds {
		m := ms[c.Step]
		if m.requests < minReq || (isLatency(c.Metric) && (m.hist == nil || m.hist.TotalCount() == 0)) {
			continue
		}
		if shown, ok := judge(c, m); !ok {
			return fmt.Sprintf("%s %s %s: got %s", c.Name(), c.Op, showValue(c.Metric, c.Value), shown)
		}
	}
	return ""
}
