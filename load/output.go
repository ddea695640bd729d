package load

import (
	"bufio"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
	"github.com/tsenart/vegeta/v12/lib/plot"

	"github.com/oauthconf/oauthconf/internal/outputs"
)

// write finishes results.bin and writes report.json, latency.hgrm and plot.html.
func (c *collector) write(rep *Report) error {
	var errs []error
	if c.encErr != nil {
		errs = append(errs, fmt.Errorf("results.bin: %w", c.encErr))
	}
	if c.buf != nil {
		if err := c.buf.Flush(); err != nil {
			errs = append(errs, fmt.Errorf("results.bin: %w", err))
		}
	}
	if c.file != nil {
		if err := c.file.Close(); err != nil {
			errs = append(errs, fmt.Errorf("results.bin: %w", err))
		}
	}
	errs = append(errs, WriteFiles(c.dir, rep))
	return errors.Join(errs...)
}

// WriteFiles writes report.json, latency.hgrm and plot.html of rep into dir
// (plot.html when there are results to draw: dir/results.bin, or the files
// Merge read); for a merged report (Merge) also results.bin, all the merged
// results, so that the report's timelines and step table and vegeta's own
// tools read the merged run.
func WriteFiles(dir string, rep *Report) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	b, err := outputs.Marshal(rep.LoadReport, true)
	if err != nil {
		return fmt.Errorf("load: report.json: %w", err)
	}
	var errs []error
	if err := os.WriteFile(filepath.Join(dir, outputs.LoadReportName), b, 0o644); err != nil {
		errs = append(errs, fmt.Errorf("load: %w", err))
	}
	if f, err := os.Create(filepath.Join(dir, "latency.hgrm")); err != nil {
		errs = append(errs, fmt.Errorf("load: %w", err))
	} else {
		// Values are recorded in µs; the .hgrm is in milliseconds (scale 1000).
		if _, err := rep.hist.PercentilesPrint(f, 5, 1000.0); err != nil {
			errs = append(errs, fmt.Errorf("load: latency.hgrm: %w", err))
		}
		if err := f.Close(); err != nil {
			errs = append(errs, fmt.Errorf("load: latency.hgrm: %w", err))
		}
	}
	if len(rep.plotFrom) > 0 {
		errs = append(errs, writeMerged(dir, rep.plotFrom))
	}
	if files := plotSources(dir, rep); len(files) > 0 {
		errs = append(errs, writePlot(dir, plotTitle(rep), files))
	}
	return errors.Join(errs...)
}

// plotSources are the result files plot.html is drawn from: those a merge
// read, else dir/results.bin when the run wrote one (none: no plot).
func plotSources(dir string, rep *Report) []string {
	if len(rep.plotFrom) > 0 {
		return rep.plotFrom
	}
	bin := filepath.Join(dir, "results.bin")
	if _, err := os.Stat(bin); err != nil {
		return nil
	}
	return []string{bin}
}

func plotTitle(rep *Report) string {
	t := "oauthconf load: " + rep.Scenario
	if rep.Profile != "" {
		t += " (" + rep.Profile + ")"
	}
	return t
}

// WriteText writes a vegeta-style text report, then the steps, the
// end-to-end flow latency and the SLO verdict.
func WriteText(w io.Writer, rep *Report) error {
	bw := bufio.NewWriter(w)
	prof := rep.Profile
	if prof == "" {
		prof = "-"
	}
	fmt.Fprintf(bw, "Scenario      [%s] profile %s, target %s\n", rep.Scenario, prof, rep.Target)
	if err := writeVegetaText(bw, rep); err != nil {
		return err
	}
	fmt.Fprintf(bw, "Valid tokens  [ratio]  %.2f%%  (Success above counts valid token responses for the profile, not just 2xx; latencies are theirs)\n", rep.SuccessRatio*100)
	names := make([]string, 0, len(rep.Steps))
	for n := range rep.Steps {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s := rep.Steps[n]
		p50, p99, top := noLatency, noLatency, noLatency
		if l := s.Latencies; l != nil {
			p50, p99, top = ms(l.P50), ms(l.P99), ms(l.Max)
		}
		fmt.Fprintf(bw, "Step %-14s requests %d  valid %.2f%%  p50 %s  p99 %s  max %s\n", n, s.Requests, s.SuccessRatio*100, p50, p99, top)
	}
	if len(rep.ErrorClasses) > 0 {
		classes := make([]string, 0, len(rep.ErrorClasses))
		for _, k := range slices.Sorted(maps.Keys(rep.ErrorClasses)) {
			classes = append(classes, fmt.Sprintf("%s %d", k, rep.ErrorClasses[k]))
		}
		fmt.Fprintf(bw, "Error classes %s\n", strings.Join(classes, "  "))
	}
	if rep.Flow != nil {
		fmt.Fprintf(bw, "Flow (connect sent → token received, including the wait for the exchange's request slot, ≈ 1/rate) %d flows  mean %s  p50 %s  p99 %s  max %s\n", rep.Flow.Count,
			ms(rep.Flow.Mean), ms(rep.Flow.P50), ms(rep.Flow.P99), ms(rep.Flow.Max))
	}
	if rep.SLO != nil {
		verdict := "PASS"
		if !rep.SLO.Pass {
			verdict = "FAIL: " + strings.Join(rep.SLO.Violations, "; ")
		}
		fmt.Fprintf(bw, "SLO %s  %s\n", rep.SLO.Expr, verdict)
		if a := rep.SLO.Aborted; a != nil {
			fmt.Fprintf(bw, "Aborted: SLO breached at %gs: %s (--slo-abort); the figures cover what ran until then.\n", a.AtSeconds, a.Violation)
		}
	}
	if sh := rep.Shard; sh != nil {
		fmt.Fprintf(bw, "Shard %d/%d of a distributed run: %d req/s asked, at most %d requests (merge the shards' results.bin with oauthconf load report)\n", sh.Index, sh.Count, sh.Rate, sh.MaxRequests)
	}
	writeServerCost(bw, rep.Server)
	if rep.Interrupted {
		fmt.Fprintln(bw, "Interrupted: the run was stopped early; the figures cover what ran.")
	}
	return bw.Flush()
}

func ms(ns int64) string { return time.Duration(ns).Round(time.Microsecond).String() }

// noLatency stands for a latency when no response was valid.
const noLatency = "n/a"

// writeVegetaText writes vegeta's text report of the run, with two
// changes: its Success line counts valid token responses for the profile
// (vegeta counts any 2xx/3xx), and its Latencies line shows those of the
// valid responses, as report.json and the SLO do (vegeta's are of every
// response), or n/a when none was valid.
func writeVegetaText(w io.Writer, rep *Report) error {
	m := rep.metrics
	m.Success = rep.SuccessRatio
	valid := rep.hist != nil && rep.hist.TotalCount() > 0
	if valid {
		us := func(v int64) time.Duration { return time.Duration(v) * time.Microsecond }
		h := rep.hist
		m.Latencies = vegeta.LatencyMetrics{Total: us(int64(float64(h.TotalCount()) * h.Mean())), Mean: time.Duration(h.Mean() * float64(time.Microsecond)),
			P50: us(h.ValueAtQuantile(50)), P90: us(h.ValueAtQuantile(90)), P95: us(h.ValueAtQuantile(95)), P99: us(h.ValueAtQuantile(99)),
			Max: us(h.Max()), Min: us(h.Min())}
	}
	var buf strings.Builder
	if err := vegeta.NewTextReporter(&m).Report(&buf); err != nil {
		return err
	}
	text := buf.String()
	if !valid {
		lines := strings.SplitAfter(text, "\n")
		for i, l := range lines {
			if head, _, ok := strings.Cut(l, "max]"); ok && strings.HasPrefix(l, "Latencies") {
				lines[i] = head + "max]  " + noLatency + " (no valid response)\n"
			}
		}
		text = strings.Join(lines, "")
	}
	_, err := io.WriteString(w, text)
	return err
}

// plotName is the interactive latency plot, drawn by vegeta's plot package
// (zoom, PNG export, offline: its script is inlined).
const plotName = "plot.html"

// writePlot writes dir/plot.html from the vegeta results in files (a run's
// results.bin, or the files a merge read): one latency series per step and
// outcome (OK, ERROR). The plot package wants each attack's results numbered
// 0, 1, … in time order, which results from several files or workers are
// not, so they are renumbered by timestamp per step.
func writePlot(dir, title string, files []string) error {
	byAttack := map[string][]vegeta.Result{}
	for _, name := range files {
		if err := decodeResults(name, func(r *vegeta.Result) { byAttack[r.Attack] = append(byAttack[r.Attack], *r) }); err != nil {
			return fmt.Errorf("load: plot.html: %w", err)
		}
	}
	p := plot.New(plot.Title(title), plot.Label(plot.ErrorLabeler))
	for _, rs := range byAttack {
		sort.SliceStable(rs, func(i, j int) bool { return rs[i].Timestamp.Before(rs[j].Timestamp) })
		for i := range rs {
			rs[i].Seq = uint64(i)
			if err := p.Add(&rs[i]); err != nil {
				return fmt.Errorf("load: plot.html: %w", err)
			}
		}
	}
	p.Close()
	f, err := os.Create(filepath.Join(dir, plotName))
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	if _, err := p.WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("load: plot.html: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("load: plot.html: %w", err)
	}
	return nil
}

// decodeResults calls each for every result of a vegeta result file (binary,
// JSON or CSV, as vegeta detects).
func decodeResults(name string, each func(*vegeta.Result)) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	dec := vegeta.DecoderFor(f)
	if dec == nil {
		return fmt.Errorf("%s: not a vegeta result file", name)
	}
	for n := 1; ; n++ {
		var r vegeta.Result
		if err := dec.Decode(&r); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("%s: result %d: %w", name, n, err)
		}
		each(&r)
	}
}

// MergeOptions are what a merged report records beside the results.
type MergeOptions struct {
	// Profile and Label, when set, stand for those the inputs' report.json
	// files record (load report --profile, --label).
	Profile, Label string
}

// Merge reads vegeta result files (binary, JSON or CSV, as vegeta detects)
// from several machines (or shards) and reports them as one run, per step as
// recorded in Result.Attack; latencies are those of the valid responses, as
// in a run. The report.json beside each file (a run's or shard's) gives the
// merged report its profile, target, version, label and start; where the
// inputs disagree the values are listed ("a, b") and Report.Warnings says
// so. A result file that cannot be read is an error naming it.
func Merge(files []string, o MergeOptions) (*Report, error) {
	if len(files) == 0 {
		return nil, errors.New("load report: no result files given")
	}
	c := newCollector(Options{Scenario: "merged"})
	c.opts.Profile = nil
	var scenarios []string
	for _, name := range files {
		err := decodeResults(name, func(r *vegeta.Result) {
			sc, step, _ := strings.Cut(r.Attack, "/")
			if sc != "" && !slices.Contains(scenarios, sc) {
				scenarios = append(scenarios, sc)
			}
			if step == "" {
				step = "token"
			}
			c.addMerged(r, step)
		})
		if err != nil {
			return nil, fmt.Errorf("load report: %w", err)
		}
	}
	c.rebaseTimeline()
	rep := c.report()
	rep.Target = fmt.Sprintf("%d result files", len(files))
	rep.plotFrom = append([]string{}, files...)
	rep.provenance(files, scenarios, o)
	return rep, nil
}

// provenance sets the merged report's scenario, profile, target, version,
// label and start from the report.json beside each input (those missing
// are skipped), o overriding the profile and label.
func (rep *Report) provenance(files, scenarios []string, o MergeOptions) {
	var profiles, targets, versions, labels []string
	add := func(list *[]string, v string) {
		if v != "" && !slices.Contains(*list, v) {
			*list = append(*list, v)
		}
	}
	for _, name := range files {
		b, err := os.ReadFile(filepath.Join(filepath.Dir(name), outputs.LoadReportName))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		var in outputs.LoadReport
		if err == nil {
			err = json.Unmarshal(b, &in)
		}
		if err != nil {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("load report: %s: %v (its profile, target and version are not known)", filepath.Join(filepath.Dir(name), outputs.LoadReportName), err))
			continue
		}
		add(&scenarios, in.Scenario)
		add(&profiles, in.Profile)
		add(&targets, in.Target)
		add(&versions, in.Version)
		add(&labels, in.Label)
		if in.StartedAt != nil && (rep.StartedAt == nil || in.StartedAt.Before(*rep.StartedAt)) {
			rep.StartedAt = in.StartedAt
		}
	}
	if len(scenarios) > 0 {
		rep.Scenario = scenarios[0]
	}
	for _, v := range []struct {
		what  string
		list  []string
		field *string
	}{{"scenarios", scenarios, nil}, {"profiles", profiles, &rep.Profile}, {"targets", targets, &rep.Target}, {"versions", versions, &rep.Version}, {"labels", labels, &rep.Label}} {
		if v.field != nil && len(v.list) > 0 {
			*v.field = strings.Join(v.list, ", ")
		}
		if len(v.list) > 1 {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("load report: the inputs disagree: %s: %s", v.what, strings.Join(v.list, ", ")))
		}
	}
	rep.Profile, rep.Label = cmp.Or(o.Profile, rep.Profile), cmp.Or(o.Label, rep.Label)
}

// addMerged accounts a result read back from a file (already validated);
// its second of the timeline is its Unix second until rebaseTimeline.
func (c *collector) addMerged(r *vegeta.Result, step string) {
	r.Error = c.clean(r.Error) // a file from an older run may carry secrets
	if c.first.IsZero() || r.Timestamp.Before(c.first) {
		c.first = r.Timestamp
	}
	c.total.Add(r)
	c.stepMetrics(step).Add(r)
	c.account(r, step, r.Timestamp.Unix(), r.Error == "" && r.Code >= 200 && r.Code < 400)
	if r.Error != "" {
		c.classes[errorClass(r.Error)]++
	}
	c.n.Add(1)
}

// rebaseTimeline turns the merged timeline's Unix seconds into seconds
// from the first result.
func (c *collector) rebaseTimeline() {
	first := c.first.Unix()
	secs := make(map[int64]*second, len(c.seconds))
	for s, v := range c.seconds {
		secs[s-first] = v
	}
	c.seconds = secs
}

// writeMerged writes dir/results.bin from the files a merge read, in
// vegeta's binary encoding (vegeta report and plot read it), errors
// redacted as in a run. It goes through a temporary file, so that an input
// may be dir/results.bin itself.
func writeMerged(dir string, files []string) error {
	tmp, err := os.CreateTemp(dir, ".results-*.bin")
	if err != nil {
		return fmt.Errorf("load: results.bin: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename: a no-op
	bw := bufio.NewWriterSize(tmp, 256<<10)
	enc, c := vegeta.NewEncoder(bw), newCollector(Options{})
	var encErr error
	for _, name := range files {
		err := decodeResults(name, func(r *vegeta.Result) {
			if encErr == nil {
				r.Error = c.clean(r.Error)
				encErr = enc.Encode(r)
			}
		})
		if err = errors.Join(err, encErr); err != nil {
			tmp.Close()
			return fmt.Errorf("load: results.bin: %w", err)
		}
	}
	// CreateTemp makes the file 0600; results.bin is 0644 as the other outputs.
	if err := errors.Join(bw.Flush(), tmp.Chmod(0o644), tmp.Close()); err != nil {
		return fmt.Errorf("load: results.bin: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, "results.bin")); err != nil {
		return fmt.Errorf("load: results.bin: %w", err)
	}
	return nil
}
