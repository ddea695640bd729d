package load

import (
	"bufio"
	"errors"
	"fmt"
	"html"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

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

// WriteFiles writes report.json, latency.hgrm and plot.html of rep into dir.
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
	if err := os.WriteFile(filepath.Join(dir, "plot.html"), plotHTML(rep), 0o644); err != nil {
		errs = append(errs, fmt.Errorf("load: %w", err))
	}
	return errors.Join(errs...)
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
	}
	if rep.Interrupted {
		fmt.Fprintln(bw, "Interrupted: the run was stopped early; the figures cover what ran.")
	}
	return bw.Flush()
}

func ms(ns int64) string { return time.Duration(ns).Round(time.Microsecond).String() }

// plotHTML renders a self-contained page: latency samples over time (SVG
// scatter) and requests/errors per second.
func plotHTML(rep *Report) []byte {
	const w, h, pad = 900, 300, 50
	var maxT, maxL int64 = 1, 1
	for _, s := range rep.samples {
		maxT, maxL = max(maxT, s[0]), max(maxL, s[1])
	}
	var maxN = 1
	for _, p := range rep.Timeline {
		maxN = max(maxN, p.Requests)
		maxT = max(maxT, (p.Second+1)*1000)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, `<!doctype html><html><head><meta charset="utf-8"><title>oauthconf load: %s</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}svg{background:#fafafa;border:1px solid #ddd}.ax{font-size:11px;fill:#555}</style></head><body>
<h1>Load: %s (%s)</h1><p>%d requests, %.2f%% valid token responses, p50 %s, p99 %s, max %s.</p>
<h2>Latency over time</h2><svg id="latency" width="%d" height="%d" role="img" aria-label="latency over time">`,
		html.EscapeString(rep.Scenario), html.EscapeString(rep.Scenario), html.EscapeString(rep.Profile), rep.Requests, rep.SuccessRatio*100,
		ms(rep.Latencies.P50), ms(rep.Latencies.P99), ms(rep.Latencies.Max), w+2*pad, h+2*pad)
	axes(&sb, w, h, pad, fmt.Sprintf("%.0f ms", float64(maxL)/1000), fmt.Sprintf("%.0f s", float64(maxT)/1000))
	for _, s := range rep.samples {
		fmt.Fprintf(&sb, `<circle cx="%.1f" cy="%.1f" r="1.5" fill="#3366cc" fill-opacity=".5"/>`,
			pad+float64(s[0])/float64(maxT)*w, pad+h-float64(s[1])/float64(maxL)*h)
	}
	sb.WriteString(`</svg><h2>Requests and errors per second</h2>`)
	fmt.Fprintf(&sb, `<svg id="throughput" width="%d" height="%d" role="img" aria-label="requests per second">`, w+2*pad, h+2*pad)
	axes(&sb, w, h, pad, fmt.Sprintf("%d/s", maxN), fmt.Sprintf("%.0f s", float64(maxT)/1000))
	bw := float64(w) / float64(max(1, maxT/1000))
	for _, p := range rep.Timeline {
		x := pad + float64(p.Second)*bw
		fmt.Fprintf(&sb, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#66aa66"/>`, x, pad+h-float64(p.Requests)/float64(maxN)*h, bw*0.9, float64(p.Requests)/float64(maxN)*h)
		if p.Errors > 0 {
			fmt.Fprintf(&sb, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#cc3333"/>`, x, pad+h-float64(p.Errors)/float64(maxN)*h, bw*0.9, float64(p.Errors)/float64(maxN)*h)
		}
	}
	sb.WriteString(`</svg></body></html>`)
	return []byte(sb.String())
}

func axes(sb *strings.Builder, w, h, pad int, yMax, xMax string) {
	fmt.Fprintf(sb, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#888"/><line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#888"/>`, pad, pad+h, pad+w, pad+h, pad, pad, pad, pad+h)
	fmt.Fprintf(sb, `<text class="ax" x="%d" y="%d">%s</text><text class="ax" x="%d" y="%d" text-anchor="end">%s</text><text class="ax" x="%d" y="%d">0</text>`,
		4, pad+4, html.EscapeString(yMax), pad+w, pad+h+16, html.EscapeString(xMax), pad-10, pad+h+4)
}

// Merge reads vegeta result files (binary, JSON or CSV, as vegeta detects)
// from several machines and reports them as one run, per step as recorded in
// Result.Attack. A file that cannot be read is an error naming it.
func Merge(files []string, prof string) (*Report, error) {
	if len(files) == 0 {
		return nil, errors.New("load report: no result files given")
	}
	c := newCollector(Options{Scenario: "merged"})
	c.opts.Profile = nil
	var scenario string
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("load report: %w", err)
		}
		dec := vegeta.DecoderFor(f)
		if dec == nil {
			f.Close()
			return nil, fmt.Errorf("load report: %s: not a vegeta result file", name)
		}
		n := 0
		for {
			var r vegeta.Result
			if err := dec.Decode(&r); err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				f.Close()
				return nil, fmt.Errorf("load report: %s: result %d: %w", name, n+1, err)
			}
			sc, step, _ := strings.Cut(r.Attack, "/")
			if scenario == "" {
				scenario = sc
			}
			if step == "" {
				step = "token"
			}
			c.addMerged(&r, step)
			n++
		}
		f.Close()
	}
	rep := c.report()
	rep.Scenario, rep.Profile, rep.Target = scenario, prof, fmt.Sprintf("%d result files", len(files))
	return rep, nil
}

// addMerged accounts a result read back from a file (already validated).
func (c *collector) addMerged(r *vegeta.Result, step string) {
	r.Error = c.clean(r.Error) // a file from an older run may carry secrets
	if c.first.IsZero() || r.Timestamp.Before(c.first) {
		c.first = r.Timestamp
	}
	c.total.Add(r)
	m := c.steps[step]
	if m == nil {
		m = &vegeta.Metrics{}
		c.steps[step] = m
	}
	m.Add(r)
	if r.Error == "" && r.Code >= 200 && r.Code < 400 {
		c.ok++
		c.stepOK[step]++
		_ = c.hist.RecordValue(max(1, r.Latency.Microseconds()))
	}
	c.n.Add(1)
}
