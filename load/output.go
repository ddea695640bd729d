package load

import (
	"bufio"
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
	m := rep.metrics
	// vegeta counts any 2xx/3xx as a success; here a success is a valid token
	// response for the profile, so its Success line shows that ratio.
	m.Success = rep.SuccessRatio
	if err := vegeta.NewTextReporter(&m).Report(bw); err != nil {
		return err
	}
	fmt.Fprintf(bw, "Valid tokens  [ratio]  %.2f%%  (Success above counts valid token responses for the profile, not just 2xx)\n", rep.SuccessRatio*100)
	names := make([]string, 0, len(rep.Steps))
	for n := range rep.Steps {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s := rep.Steps[n]
		fmt.Fprintf(bw, "Step %-14s requests %d  valid %.2f%%  p50 %s  p99 %s  max %s\n", n, s.Requests, s.SuccessRatio*100,
			ms(s.Latencies.P50), ms(s.Latencies.P99), ms(s.Latencies.Max))
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

// Merge reads vegeta result files (binary, JSON or CSV, as vegeta detects)
// from several machines (or shards) and reports them as one run, per step as
// recorded in Result.Attack. A file that cannot be read is an error naming
// it.
func Merge(files []string, prof string) (*Report, error) {
	if len(files) == 0 {
		return nil, errors.New("load report: no result files given")
	}
	c := newCollector(Options{Scenario: "merged"})
	c.opts.Profile = nil
	var scenario string
	for _, name := range files {
		err := decodeResults(name, func(r *vegeta.Result) {
			sc, step, _ := strings.Cut(r.Attack, "/")
			if scenario == "" {
				scenario = sc
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
	rep.Scenario, rep.Profile, rep.Target = scenario, prof, fmt.Sprintf("%d result files", len(files))
	rep.plotFrom = append([]string{}, files...)
	return rep, nil
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
	if err := errors.Join(bw.Flush(), tmp.Close()); err != nil {
		return fmt.Errorf("load: results.bin: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, "results.bin")); err != nil {
		return fmt.Errorf("load: results.bin: %w", err)
	}
	return nil
}
