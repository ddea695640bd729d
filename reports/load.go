package reports

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/oauthconf/oauthconf/internal/outputs"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// LoadScenario is one load scenario's outputs (DIR/load/<scenario>/).
type LoadScenario struct {
	Name   string
	Report *outputs.LoadReport // report.json; nil when missing or unreadable
	// Steps holds the per-step metrics computed from results.bin, sorted by name;
	// empty when results.bin is missing or unreadable.
	Steps []LoadStep
	// Distribution is latency.hgrm's percentile distribution, used when results.bin
	// cannot be read.
	Distribution []Percentile
	Requests     int  // results read from results.bin
	Truncated    bool // results.bin ended early; Steps hold the results before that
	// Plot is load/<scenario>/plot.html (vegeta's interactive plot), relative
	// to the run directory, when the run wrote one.
	Plot string
}

// LoadStep is one step's metrics, computed from results.bin.
type LoadStep struct {
	Name     string
	Requests int
	Errors   int // transport errors, validation errors and non-2xx/3xx codes
	Start    time.Time
	Span     time.Duration // first request sent to last response received
	// Throughput is successful responses per second over Span.
	Throughput float64
	// Latency percentiles of successful requests, from an HDR histogram (µs precision).
	P50, P90, P95, P99, P999, Max, Mean time.Duration
	Distribution                        []Percentile // the HDR percentile distribution, for the plot
	Series                              []Bucket     // over time
	StatusCodes                         map[string]int
	TopErrors                           []ErrorCount // most frequent error messages, at most 5
}

// Measured reports whether the step has latencies: at least one valid
// response (its latencies are those of the valid responses only).
func (s LoadStep) Measured() bool { return s.Requests > s.Errors }

// ErrorRate is Errors/Requests.
func (s LoadStep) ErrorRate() float64 {
	if s.Requests == 0 {
		return 0
	}
	return float64(s.Errors) / float64(s.Requests)
}

// ErrorCount is one error message and how often it occurred.
type ErrorCount struct {
	Message string
	Count   int
}

// Percentile is one point of a latency distribution.
type Percentile struct {
	Quantile float64       // 0..1
	Value    time.Duration // latency at that quantile
}

// Bucket is one time slice of a step's results.
type Bucket struct {
	Offset   time.Duration // from the step's first request
	Width    time.Duration
	Requests int
	Errors   int
	P50, P99 time.Duration // of the successful requests in the bucket (0 if none)
}

// maxResults bounds how many results of one results.bin are read (the report keeps
// 40 bytes per result); the rest is reported as a problem.
const maxResults = 20_000_000

// maxBuckets is how many time slices a step's series has at most.
const maxBuckets = 60

// hdr histogram range: 1µs .. 1h, 3 significant digits.
const (
	hdrLowest  = 1
	hdrHighest = int64(time.Hour / time.Microsecond)
	hdrDigits  = 3
)

// readLoad reads DIR/load/<scenario>/: report.json, results.bin and
// latency.hgrm, each when present.
func (b *builder) readLoad() {
	loadDir := filepath.Join(b.dir, "load")
	entries, err := os.ReadDir(loadDir)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			b.problem(loadDir, err)
		}
		return
	}
	for _, e := range entries {
		if !e.IsDir() || b.ctx.Err() != nil {
			continue
		}
		ls := LoadScenario{Name: e.Name()}
		dir := filepath.Join(loadDir, e.Name())
		found := b.readLoadReport(filepath.Join(dir, outputs.LoadReportName), &ls)
		found = b.readResultsFile(filepath.Join(dir, "results.bin"), &ls) || found
		found = b.readHGRM(filepath.Join(dir, "latency.hgrm"), &ls) || found
		if ls.Report != nil && ls.Report.Latencies != nil && len(ls.Distribution) > 0 {
			ls.Distribution = hgrmUnits(ls.Distribution, ls.Report.Latencies.Max)
		}
		if _, err := os.Stat(filepath.Join(dir, "plot.html")); err == nil {
			ls.Plot = "load/" + e.Name() + "/plot.html"
		}
		if found {
			b.run.Load = append(b.run.Load, ls)
		}
	}
	sort.Slice(b.run.Load, func(i, j int) bool { return b.run.Load[i].Name < b.run.Load[j].Name })
	b.readCapacity(filepath.Join(b.dir, filepath.FromSlash(outputs.CapacityPath)))
}

// readInput reads one input file of the run, at most limit bytes. A missing
// file is no problem: found is false and nothing is counted. Otherwise the
// file counts as attempted, and data is nil when it could not be read (the
// problem is recorded), non-nil when it was.
func (b *builder) readInput(path string, limit int64) (data []byte, found bool) {
	data, err := readBounded(path, limit)
	if errors.Is(err, os.ErrNotExist) {
		return nil, false
	}
	b.attempted()
	if err != nil {
		b.problem(path, err)
		return nil, true
	}
	if data == nil {
		data = []byte{}
	}
	return data, true
}

// readCapacity reads load/capacity.json (load --find-capacity), redacting the
// probes' violations.
func (b *builder) readCapacity(path string) {
	data, _ := b.readInput(path, 16<<20)
	if data == nil {
		return
	}
	c, err := outputs.ParseCapacity(data)
	if err != nil {
		b.problem(path, err)
		return
	}
	for i := range c.Probes {
		for j, v := range c.Probes[i].Violations {
			c.Probes[i].Violations[j] = Redact(v)
		}
	}
	b.read()
	b.run.Capacity = c
}

// Failed says whether the load scenario failed as load's exit code does: it
// missed its SLO, or sent requests and got not one valid token response
// (exit 1 either way), with why; "" when it did not fail.
func (l LoadScenario) Failed() string {
	rep := l.Report
	switch {
	case rep == nil:
		return ""
	case rep.SLO != nil && !rep.SLO.Pass:
		return "missed its SLO " + rep.SLO.Expr
	case rep.Requests > 0 && rep.SuccessRatio == 0:
		return fmt.Sprintf("none of %d responses was a valid token response", rep.Requests)
	}
	return ""
}

// readLoadReport reads report.json into ls.Report, redacting its messages;
// it reports whether the file exists.
func (b *builder) readLoadReport(path string, ls *LoadScenario) bool {
	data, found := b.readInput(path, 64<<20)
	if data == nil {
		return found
	}
	var rep outputs.LoadReport
	err := json.Unmarshal(data, &rep)
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil:
	case errors.As(err, &typeErr):
		// The other fields decoded: keep them.
		b.problem(path, fmt.Errorf("unexpected JSON: %w", err))
	default:
		b.problem(path, fmt.Errorf("malformed JSON: %w", err))
		return true
	}
	b.read()
	if rep.SLO != nil {
		for i, v := range rep.SLO.Violations {
			rep.SLO.Violations[i] = Redact(v)
		}
	}
	for i, v := range rep.Errors {
		rep.Errors[i] = Redact(v)
	}
	ls.Report = &rep
	return true
}

// readResultsFile reads results.bin into ls's steps; it reports whether the
// file exists.
func (b *builder) readResultsFile(path string, ls *LoadScenario) bool {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return false
	}
	b.attempted()
	if err != nil {
		b.problem(path, err)
		return true
	}
	defer f.Close()
	steps, n, err := readResults(b.ctx, f, ls.Name)
	ls.Steps, ls.Requests = steps, n
	if err != nil {
		ls.Truncated = n > 0
		if n > 0 {
			err = fmt.Errorf("%w (the %d results before it are reported)", err, n)
		}
		b.problem(path, err)
	}
	if n > 0 || err == nil {
		b.read()
	}
	return true
}

// readHGRM reads latency.hgrm into ls.Distribution; it reports whether the
// file exists.
func (b *builder) readHGRM(path string, ls *LoadScenario) bool {
	data, found := b.readInput(path, 16<<20)
	if data == nil {
		return found
	}
	dist, err := parseHGRM(string(data))
	if err != nil {
		b.problem(path, err)
	}
	if len(dist) > 0 {
		b.read()
	}
	ls.Distribution = dist
	return true
}

// stepName is the step of a result: Result.Attack is "<scenario>/<step>" (the
// scenario part may differ from the directory name, e.g. after a rename); an Attack
// without "/" is taken as the step itself, an empty one as "all".
func stepName(scenario, attack string) string {
	if s, ok := strings.CutPrefix(attack, scenario+"/"); ok && s != "" {
		return s
	}
	if _, s, ok := strings.Cut(attack, "/"); ok && s != "" {
		return s
	}
	if attack == "" || attack == scenario {
		return "all"
	}
	return attack
}

// isError reports whether vegeta counts the result as a failure.
func isError(r *vegeta.Result) bool {
	return r.Error != "" || r.Code < 200 || r.Code >= 400
}

// stepAcc accumulates one step's results.
type stepAcc struct {
	results []lite
	codes   map[string]int
	errs    map[string]int
	hist    *hdrhistogram.Histogram
	first   time.Time
	last    time.Time
}

// lite is the part of a vegeta.Result the report needs.
type lite struct {
	at      time.Time
	latency time.Duration
	err     bool
}

// readResults decodes vegeta results (any encoding vegeta.DecoderFor detects) and
// computes per-step metrics. On a decoding error it returns the metrics of the
// results read so far, their count, and the error.
func readResults(ctx context.Context, r io.Reader, scenario string) ([]LoadStep, int, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if _, err := br.Peek(1); err == io.EOF {
		return nil, 0, nil // an empty run: no results
	}
	dec := vegeta.DecoderFor(br)
	if dec == nil {
		return nil, 0, errors.New("not a vegeta results file (neither gob, JSON nor CSV encoded)")
	}
	accs := map[string]*stepAcc{}
	n := 0
	var decErr error
	for {
		if n%4096 == 0 && ctx.Err() != nil {
			decErr = ctx.Err()
			break
		}
		if n >= maxResults {
			decErr = fmt.Errorf("more than %d results: only the first %d are reported", maxResults, maxResults)
			break
		}
		var res vegeta.Result
		err := dec.Decode(&res)
		if err == io.EOF {
			break
		}
		if err != nil {
			decErr = fmt.Errorf("bad or truncated vegeta results after %d result(s): %w", n, err)
			break
		}
		n++
		name := stepName(scenario, res.Attack)
		a := accs[name]
		if a == nil {
			a = &stepAcc{codes: map[string]int{}, errs: map[string]int{}, hist: hdrhistogram.New(hdrLowest, hdrHighest, hdrDigits)}
			accs[name] = a
		}
		e := isError(&res)
		a.results = append(a.results, lite{at: res.Timestamp, latency: res.Latency, err: e})
		a.codes[strconv.Itoa(int(res.Code))]++
		if res.Error != "" {
			a.errs[Redact(res.Error)]++
		}
		if !e {
			us := res.Latency.Microseconds()
			us = max(us, hdrLowest)
			us = min(us, hdrHighest)
			_ = a.hist.RecordValue(us) // in range by construction
		}
		if a.first.IsZero() || res.Timestamp.Before(a.first) {
			a.first = res.Timestamp
		}
		if end := res.Timestamp.Add(res.Latency); end.After(a.last) {
			a.last = end
		}
	}
	var steps []LoadStep
	for name, a := range accs {
		steps = append(steps, a.finish(name))
	}
	sort.Slice(steps, func(i, j int) bool { return steps[i].Name < steps[j].Name })
	return steps, n, decErr
}

func (a *stepAcc) finish(name string) LoadStep {
	s := LoadStep{Name: name, Requests: len(a.results), Start: a.first, Span: a.last.Sub(a.first), StatusCodes: a.codes}
	ok := 0
	for _, r := range a.results {
		if r.err {
			s.Errors++
		} else {
			ok++
		}
	}
	if s.Span > 0 {
		s.Throughput = float64(ok) / s.Span.Seconds()
	}
	us := func(v int64) time.Duration { return time.Duration(v) * time.Microsecond }
	if a.hist.TotalCount() > 0 {
		s.P50 = us(a.hist.ValueAtQuantile(50))
		s.P90 = us(a.hist.ValueAtQuantile(90))
		s.P95 = us(a.hist.ValueAtQuantile(95))
		s.P99 = us(a.hist.ValueAtQuantile(99))
		s.P999 = us(a.hist.ValueAtQuantile(99.9))
		s.Max = us(a.hist.Max())
		s.Mean = time.Duration(a.hist.Mean() * float64(time.Microsecond))
		s.Distribution = distribution(a.hist)
	}
	for m, c := range a.errs {
		s.TopErrors = append(s.TopErrors, ErrorCount{Message: m, Count: c})
	}
	sort.Slice(s.TopErrors, func(i, j int) bool {
		if s.TopErrors[i].Count != s.TopErrors[j].Count {
			return s.TopErrors[i].Count > s.TopErrors[j].Count
		}
		return s.TopErrors[i].Message < s.TopErrors[j].Message
	})
	if len(s.TopErrors) > 5 {
		s.TopErrors = s.TopErrors[:5]
	}
	s.Series = series(a.results, a.first, a.last)
	return s
}

// distribution samples the histogram at HDR's usual percentile ladder
// (0, 50, 75, 87.5, … toward 100), ending at the max.
func distribution(h *hdrhistogram.Histogram) []Percentile {
	var out []Percentile
	for q := 0.0; ; {
		out = append(out, Percentile{Quantile: q, Value: time.Duration(h.ValueAtQuantile(q*100)) * time.Microsecond})
		if q >= 0.99999 || 1/(1-q) > float64(h.TotalCount()) {
			break
		}
		// Halve the remaining distance to 100% in 2 steps per halving.
		q = 1 - (1-q)/math.Sqrt2
	}
	out = append(out, Percentile{Quantile: 1, Value: time.Duration(h.Max()) * time.Microsecond})
	return out
}

// series slices the results into at most maxBuckets buckets of whole
// milliseconds (at least one second wide when the run is long enough).
func series(rs []lite, first, last time.Time) []Bucket {
	if len(rs) == 0 {
		return nil
	}
	span := last.Sub(first)
	// At most maxBuckets buckets, and about 10 results per bucket on average so
	// that rates do not jitter with the pacing.
	width := max(span/maxBuckets, span*10/time.Duration(len(rs)))
	switch {
	case width < time.Millisecond:
		width = time.Millisecond
	case width < time.Second && span >= maxBuckets*time.Second/4:
		width = time.Second
	}
	width = width.Round(time.Millisecond)
	n := int(span/width) + 1
	buckets := make([]Bucket, n)
	lats := make([][]time.Duration, n)
	for i := range buckets {
		buckets[i] = Bucket{Offset: time.Duration(i) * width, Width: width}
	}
	for _, r := range rs {
		i := int(r.at.Sub(first) / width)
		i = min(max(i, 0), n-1)
		buckets[i].Requests++
		if r.err {
			buckets[i].Errors++
		} else {
			lats[i] = append(lats[i], r.latency)
		}
	}
	for i, l := range lats {
		if len(l) == 0 {
			continue
		}
		sort.Slice(l, func(a, b int) bool { return l[a] < l[b] })
		buckets[i].P50 = l[(len(l)-1)*50/100]
		buckets[i].P99 = l[(len(l)-1)*99/100]
	}
	return buckets
}

// hgrmUnits rescales a distribution parsed as milliseconds when report.json's max
// latency (ns) shows that the file's values are microseconds (docs/outputs.md says
// microseconds; HdrHistogram's usual output, which load writes, is milliseconds).
func hgrmUnits(dist []Percentile, reportMaxNs int64) []Percentile {
	last := dist[len(dist)-1].Value
	if reportMaxNs <= 0 || last <= 0 {
		return dist
	}
	ratio := float64(reportMaxNs) / float64(last)
	if ratio < 1.0/300 && ratio > 1.0/3000 {
		out := make([]Percentile, len(dist))
		for i, d := range dist {
			out[i] = Percentile{Quantile: d.Quantile, Value: d.Value / 1000}
		}
		return out
	}
	return dist
}

// parseHGRM parses HdrHistogram's percentile distribution text output
// ("Value Percentile TotalCount 1/(1-Percentile)" rows). Values are taken as
// milliseconds (HdrHistogram's usual output unit); see hgrmUnits.
func parseHGRM(s string) ([]Percentile, error) {
	var out []Percentile
	bad := 0
	firstBad := 0
	for i, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "Value") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			if firstBad == 0 {
				firstBad = i + 1
			}
			bad++
			continue
		}
		v, err1 := strconv.ParseFloat(f[0], 64)
		q, err2 := strconv.ParseFloat(f[1], 64)
		if err1 != nil || err2 != nil || q < 0 || q > 1 || v < 0 {
			if firstBad == 0 {
				firstBad = i + 1
			}
			bad++
			continue
		}
		out = append(out, Percentile{Quantile: q, Value: time.Duration(v * float64(time.Millisecond))})
	}
	switch {
	case len(out) == 0:
		return nil, errors.New("no percentile rows (want HdrHistogram's \"Value Percentile TotalCount 1/(1-Percentile)\" text)")
	case bad > 0:
		return out, fmt.Errorf("%d malformed row(s), first at line %d", bad, firstBad)
	}
	return out, nil
}
