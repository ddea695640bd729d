package outputs

import (
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// LoadReport is DIR/load/<scenario>/report.json: one load run's outcome.
type LoadReport struct {
	Scenario        string  `json:"scenario"`
	Profile         string  `json:"profile"`
	Target          string  `json:"target"`
	Rate            float64 `json:"rate"` // requests per second
	DurationSeconds float64 `json:"duration_seconds"`
	Requests        uint64  `json:"requests"`
	// SuccessRatio counts valid token responses (2xx that pass the profile's
	// token-response check) among all requests.
	SuccessRatio float64 `json:"success_ratio"`
	Throughput   float64 `json:"throughput"` // successful responses per second
	// Latencies are those of the valid responses (an HDR histogram, µs
	// precision), as every output and the SLO show them; nil (omitted)
	// when not one response was valid.
	Latencies   *LatencySummary `json:"latencies,omitempty"`
	StatusCodes map[string]int  `json:"status_codes"`
	Errors      []string        `json:"errors"`
	// ErrorClasses counts the failed requests by class (the ErrorClass*
	// names): a body over the bound is its own class, not a timeout.
	ErrorClasses map[string]uint64      `json:"error_classes,omitempty"`
	Steps        map[string]*StepReport `json:"steps"`
	// Flow is the end-to-end latency of authorization-code flows (connect to
	// token); nil for single-request grants.
	Flow        *LatencySummary `json:"flow,omitempty"`
	SLO         *SLOVerdict     `json:"slo"` // nil without --slo
	Timeline    []TimelinePoint `json:"timeline"`
	Interrupted bool            `json:"interrupted,omitempty"`
	// Shard is this run's part of a distributed run (load --shard I/N); nil
	// for a whole run.
	Shard *LoadShard `json:"shard,omitempty"`
	// Server is what the target's process spent (load --server-pid); nil
	// without it.
	Server *ServerCost `json:"server,omitempty"`
	// Version is the oauthconf version that ran, Label the run's --label,
	// StartedAt when the run started (UTC): the report's header.
	Version   string     `json:"version,omitempty"`
	Label     string     `json:"label,omitempty"`
	StartedAt *time.Time `json:"started_at,omitempty"`
}

// Classes of failed requests (LoadReport.ErrorClasses).
const (
	ErrorClassBodyTooLarge   = "body_too_large"   // the body exceeded the bound (after any inflation)
	ErrorClassHeaderTooLarge = "header_too_large" // the response header exceeded the bound
	ErrorClassTimeout        = "timeout"          // no complete answer within --timeout
	ErrorClassRunEnded       = "run_ended"        // still unanswered at --duration plus the grace
	ErrorClassInterrupted    = "interrupted"      // cut by Ctrl-C
	ErrorClassInvalid        = "invalid_response" // answered, but not a valid token response (or redirect)
	ErrorClassStatus         = "http_status"      // answered with a status that is no success (4xx, 5xx)
	ErrorClassConnection     = "connection"       // refused, reset, closed, TLS, DNS
	ErrorClassOther          = "other"
)

// StepReport is the metrics of one step (token, connect, exchange, seed,
// cc.token, …).
type StepReport struct {
	Requests     uint64  `json:"requests"`
	SuccessRatio float64 `json:"success_ratio"`
	// Latencies are those of the step's valid responses; nil (omitted)
	// when none was valid.
	Latencies   *LatencySummary `json:"latencies,omitempty"`
	StatusCodes map[string]int  `json:"status_codes"`
}

// LatencySummary holds latency statistics in nanoseconds.
type LatencySummary struct {
	Count int64 `json:"count,omitempty"`
	Mean  int64 `json:"mean"`
	P50   int64 `json:"p50"`
	P90   int64 `json:"p90"`
	P95   int64 `json:"p95"`
	P99   int64 `json:"p99"`
	Max   int64 `json:"max"`
}

// TimelinePoint is one second of a run.
type TimelinePoint struct {
	Second   int64 `json:"second"`
	Requests int   `json:"requests"`
	Errors   int   `json:"errors"`
	// P50 and P99 are of the second's valid responses (ns, at least 1µs);
	// omitted when it had none.
	P50 int64 `json:"p50,omitempty"`
	P99 int64 `json:"p99,omitempty"`
}

// SLOVerdict is the verdict of an SLO (--slo) on a run.
type SLOVerdict struct {
	Expr       string   `json:"expr"`
	Pass       bool     `json:"pass"`
	Violations []string `json:"violations"`
	// Conditions is every condition's outcome, in the expression's order.
	Conditions []SLOCondition `json:"conditions,omitempty"`
	// Aborted is set when the run was stopped early on a breach (--slo-abort).
	Aborted *SLOAbort `json:"aborted,omitempty"`
}

// SLOCondition is one condition of an SLO and what the run measured.
type SLOCondition struct {
	Cond string `json:"cond"` // [STEP.]METRIC OP VALUE, e.g. exchange.p99<50ms
	Got  string `json:"got"`  // the measured value, e.g. 61.2ms, 99.500%, 210.0/s
	Pass bool   `json:"pass"`
}

// SLOAbort is when and why a run stopped on a breach of its SLO.
type SLOAbort struct {
	AtSeconds float64 `json:"at_seconds"` // seconds after the run's start
	Violation string  `json:"violation"`  // the breached condition and its value
}

// LoadShard is one shard of a distributed run: shard Index (0-based, as
// Kubernetes' JOB_COMPLETION_INDEX) of Count, with its share of the rate and
// of the request bound (the shares of all shards add up to the run's).
type LoadShard struct {
	Index       int    `json:"index"`
	Count       int    `json:"count"`
	Rate        int    `json:"rate"`         // requests per second asked of this shard (0: as fast as it goes)
	MaxRequests uint64 `json:"max_requests"` // this shard's request bound
}

// Capacity is DIR/load/capacity.json: the outcome of load --find-capacity.
type Capacity struct {
	SLO string `json:"slo"`
	// Rate is the highest probed rate that met the SLO (0 if none did).
	Rate int `json:"rate"`
	// Outcome says what Rate is (the Capacity* constants): bracketed by a
	// failed probe within 5 %, a lower bound (no probe failed up to
	// max_rate, or the probes ran out), set by the generator's limit, or cut
	// short by an interruption.
	Outcome string `json:"outcome"`
	// MaxRate is the search's ceiling (--max-rate; 0: none).
	MaxRate int `json:"max_rate"`
	// GeneratorLimit is the rate this machine achieved when it could not
	// send the asked one (0 if it always could).
	GeneratorLimit float64         `json:"generator_limit"`
	Probes         []CapacityProbe `json:"probes"`
}

// Outcomes of a capacity search (Capacity.Outcome).
const (
	CapacityFound       = "found"           // a failing probe within 5 % above Rate
	CapacityLowerBound  = "lower_bound"     // no probe failed up to max_rate, or the probes ran out
	CapacityGenerator   = "generator_limit" // this machine could not send a probe's rate
	CapacityInterrupted = "interrupted"     // Ctrl-C during a probe
)

// CapacityProbe is one probe of a capacity search: its verdict and headline
// numbers. Pass counts only when the achieved rate was within 5 % of the
// asked one and the probe ran to its end.
type CapacityProbe struct {
	Rate       int      `json:"rate"`
	Achieved   float64  `json:"achieved_rate"` // requests sent per second of the probe's duration
	Pass       bool     `json:"pass"`
	Verdict    string   `json:"verdict"` // met, missed, generator_limit, interrupted
	Requests   uint64   `json:"requests"`
	Success    float64  `json:"success_ratio"`
	P99        int64    `json:"p99"` // ns, of the valid responses (0 when none was valid)
	Violations []string `json:"violations"`
}

// ParseCapacity decodes capacity.json.
func ParseCapacity(data []byte) (*Capacity, error) {
	var c Capacity
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("malformed JSON: %w", err)
	}
	return &c, nil
}

// ServerCost is what the target's process (load --server-pid, on the same
// Linux machine) spent during a load run, from samples of /proc/PID/stat
// (CPU: utime + stime, in 10 ms clock ticks) and /proc/PID/status (VmRSS),
// one before the first request, one every interval_seconds, one after the
// last answer. Only that process is measured, not its children.
type ServerCost struct {
	PID     int    `json:"pid"`
	Command string `json:"command"` // its name (/proc/PID/status Name)
	Samples int    `json:"samples"`
	// IntervalSeconds is the sampling interval; SpanSeconds runs from the
	// first sample to the last.
	IntervalSeconds float64 `json:"interval_seconds"`
	SpanSeconds     float64 `json:"span_seconds"`
	// CPUSeconds is the CPU time (user + system) used between the first and
	// the last sample; CPUTickSeconds its resolution (one clock tick).
	CPUSeconds     float64 `json:"cpu_seconds"`
	CPUTickSeconds float64 `json:"cpu_tick_seconds"`
	// CPUCores is CPUSeconds / SpanSeconds: 1.0 is one core kept busy.
	CPUCores float64 `json:"cpu_cores"`
	// Tokens is how many valid token responses arrived between the first and
	// the last sample (connect steps issue none).
	Tokens uint64 `json:"tokens"`
	// CPUMicrosPerToken is CPUSeconds in µs / Tokens (0 without tokens).
	CPUMicrosPerToken float64 `json:"cpu_us_per_token"`
	RSSStartBytes     uint64  `json:"rss_start_bytes"`
	RSSEndBytes       uint64  `json:"rss_end_bytes"`
	RSSPeakBytes      uint64  `json:"rss_peak_bytes"`
	// RSSGrowthPer1000Tokens is (end − start) RSS × 1000 / Tokens, in bytes
	// (negative when memory was returned; 0 without tokens).
	RSSGrowthPer1000Tokens float64 `json:"rss_growth_per_1000_tokens_bytes"`
	// Growth is the straight line fitted to RSS over the second half of the
	// run (absent when it holds too few samples), the memory-growth warning's
	// evidence.
	Growth *MemoryGrowth `json:"growth,omitempty"`
	// ExitedAtSeconds is when the process was found gone, from the first
	// sample (absent while it ran to the end).
	ExitedAtSeconds *float64 `json:"exited_at_seconds,omitempty"`
	// Warnings: memory that grew steadily (a possible leak), the process
	// exiting mid-run, CPU too small to measure at the tick's resolution.
	Warnings []string `json:"warnings,omitempty"`
	// Series is the samples (at most 600, evenly thinned).
	Series []ServerSample `json:"series,omitempty"`
}

// MemoryGrowth is a least-squares line through RSS over time.
type MemoryGrowth struct {
	WindowSeconds       float64 `json:"window_seconds"`
	Samples             int     `json:"samples"`
	SlopeBytesPerSecond float64 `json:"slope_bytes_per_second"`
	// Per1000TokensBytes is the slope per 1,000 tokens of the window (0
	// when no token arrived in it).
	Per1000TokensBytes float64 `json:"per_1000_tokens_bytes"`
	R2                 float64 `json:"r2"`
	// Steady is the verdict: a positive slope, R² ≥ 0.9, and a fitted growth
	// over the window of at least 8 MiB and 10 % of the window's first RSS.
	Steady bool `json:"steady"`
}

// ServerSample is one sample of the target's process.
type ServerSample struct {
	Second     float64 `json:"t"` // from the first sample
	CPUSeconds float64 `json:"cpu_seconds"`
	RSSBytes   uint64  `json:"rss_bytes"`
	Tokens     uint64  `json:"tokens"`
}

// Summary is the one line every report shows for c: the process, its CPU
// (per token, in cores) and its RSS (start → end, peak, growth per 1,000
// tokens).
func (c *ServerCost) Summary() string {
	s := fmt.Sprintf("process %d (%s): CPU %.2f s (%.2f cores)", c.PID, c.Command, c.CPUSeconds, c.CPUCores)
	if c.Tokens > 0 {
		s += fmt.Sprintf(", %.1f µs per token", c.CPUMicrosPerToken)
	}
	s += fmt.Sprintf("; RSS %s → %s (peak %s)", IECBytes(float64(c.RSSStartBytes)), IECBytes(float64(c.RSSEndBytes)), IECBytes(float64(c.RSSPeakBytes)))
	if c.Tokens > 0 {
		sign := ""
		if c.RSSGrowthPer1000Tokens >= 0 {
			sign = "+"
		}
		s += fmt.Sprintf(", %s%s per 1,000 tokens", sign, IECBytes(c.RSSGrowthPer1000Tokens))
	}
	return s + fmt.Sprintf(" (%d samples over %.1f s; this process only, not its children)", c.Samples, c.SpanSeconds)
}

// IECBytes formats a byte count in B, KiB, MiB or GiB, with one decimal.
func IECBytes(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 1<<30:
		return fmt.Sprintf("%.1f GiB", v/(1<<30))
	case a >= 1<<20:
		return fmt.Sprintf("%.1f MiB", v/(1<<20))
	case a >= 1<<10:
		return fmt.Sprintf("%.1f KiB", v/(1<<10))
	}
	return fmt.Sprintf("%.0f B", v)
}

// Result words what the search found, by Outcome: a rate bracketed by a
// failed probe, a lower bound (no probe failed, the generator's limit, an
// interruption), or no rate at all. The reports show it as the headline.
func (c *Capacity) Result() string {
	n := len(c.Probes)
	if c.Rate == 0 {
		if c.Outcome == CapacityInterrupted {
			return fmt.Sprintf("interrupted after %d probes, before any rate met the SLO", n)
		}
		return fmt.Sprintf("no probed rate met the SLO (%d probes)", n)
	}
	outcome := c.Outcome
	if outcome == "" && c.lowestFailure() > 0 { // a capacity.json from before "outcome"
		outcome = CapacityFound
	}
	switch outcome {
	case CapacityFound:
		return fmt.Sprintf("%d req/s meets the SLO; %d req/s missed it (%d probes)", c.Rate, c.lowestFailure(), n)
	case CapacityGenerator:
		return fmt.Sprintf("at least %d req/s: this machine could send only %.0f req/s of the next probe, a lower bound set by the load generator, not the target (%d probes)", c.Rate, c.GeneratorLimit, n)
	case CapacityInterrupted:
		return fmt.Sprintf("at least %d req/s met the SLO before the search was interrupted (%d probes; a lower bound)", c.Rate, n)
	}
	return fmt.Sprintf("at least %d req/s: no probe failed (%d probes; a lower bound)", c.Rate, n)
}

// lowestFailure is the lowest probed rate above Rate that missed the SLO.
func (c *Capacity) lowestFailure() int {
	low := 0
	for _, p := range c.Probes {
		if !p.Pass && p.Rate > c.Rate && (low == 0 || p.Rate < low) {
			low = p.Rate
		}
	}
	return low
}
