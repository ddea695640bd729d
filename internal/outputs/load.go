package outputs

import (
	"encoding/json"
	"fmt"
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
	SuccessRatio float64        `json:"success_ratio"`
	Throughput   float64        `json:"throughput"` // successful responses per second
	Latencies    LatencySummary `json:"latencies"`
	StatusCodes  map[string]int `json:"status_codes"`
	Errors       []string       `json:"errors"`
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
	Requests     uint64         `json:"requests"`
	SuccessRatio float64        `json:"success_ratio"`
	Latencies    LatencySummary `json:"latencies"`
	StatusCodes  map[string]int `json:"status_codes"`
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
	P50      int64 `json:"p50"` // ns
	P99      int64 `json:"p99"` // ns
}

// SLOVerdict is the verdict of an SLO (--slo) on a run.
type SLOVerdict struct {
	Expr       string   `json:"expr"`
	Pass       bool     `json:"pass"`
	Violations []string `json:"violations"`
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
	P99        int64    `json:"p99"` // ns
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
