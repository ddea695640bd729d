package reports

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/oauthconf/oauthconf/internal/outputs"
)

//go:embed report.html.tmpl
var reportTemplate string

// page is the view model of report.html.tmpl.
type page struct {
	Title     string
	Dir       string
	Notices   []string
	Profiles  []profileView
	Features  []string
	Matrix    []matrixRow
	Load      []loadView
	Verdict   string // "pass", "fail", "error", "incomplete" or "none"
	Headlines []headline
	Verify    *VerifyEnd
	Header    Header
	Reasons   []string
	Causes    []Cause
	Capacity  *outputs.Capacity
	// ExpectedFile and Expected are the --expected-failures entries.
	ExpectedFile string
	Expected     []ExpectedEntry
	// May is true when a MAY scenario ran in some profile: the matrix then
	// has a MAY row (optional, never gating).
	May bool
}

type headline struct {
	Text string
	OK   bool
}

type matrixRow struct {
	Feature string
	Cells   []matrixCell
}

type matrixCell struct {
	Present bool
	Anchor  string
	Counts  Counts
	Class   string // pass, fail, skip
	Text    string // the short tally ("3 ✔ · 1 ✘ · 2 n/a")
	Title   string // the tally in words
}

type profileView struct {
	Profile
	Anchor   string
	Must     Counts
	Should   Counts
	May      Counts // optional features, never gating; zero when no MAY scenario ran
	Features []featureView
}

type featureView struct {
	Feature
	Anchor string
	Counts Counts
	Open   bool
}

type loadView struct {
	LoadScenario
	Anchor    string
	StepViews []stepView
	HGRMChart template.HTML
}

type stepView struct {
	LoadStep
	LatencySVG    template.HTML
	DistSVG       template.HTML
	ThroughputSVG template.HTML
	ErrorRateSVG  template.HTML
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

func slug(parts ...string) string {
	return strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(strings.Join(parts, "-")), "-"), "-")
}

// WriteHTML writes the self-contained HTML report (inline CSS, JS and SVG; no
// network fetches) to w.
func (r *Run) WriteHTML(w io.Writer) error {
	t, err := template.New("report").Funcs(template.FuncMap{
		"dur":   fmtDuration,
		"pct":   func(v float64) string { return fmt.Sprintf("%.2f%%", v*100) },
		"f1":    func(v float64) string { return fmt.Sprintf("%.1f", v) },
		"ns":    func(v int64) string { return fmtDuration(time.Duration(v)) },
		"lower": strings.ToLower,
		"upper": strings.ToUpper,
		"label": StatusLabel,
		"short": shortTally,
		"level": func(c Counts, level string) string { return c.Headline(level) },
		"xnote": ExpectedNote,
	}).Parse(reportTemplate)
	if err != nil {
		return fmt.Errorf("report template: %w", err)
	}
	if err := t.Execute(w, r.view()); err != nil {
		return fmt.Errorf("render report: %w", err)
	}
	return nil
}

func (r *Run) view() page {
	p := page{Title: "oauthconf report", Dir: r.Dir, Notices: r.Notices, Features: r.FeatureNames(), Verify: r.Verify,
		Header: r.Header(), Reasons: r.VerdictReasons(), Causes: r.Causes(), Capacity: r.Capacity,
		ExpectedFile: r.ExpectedFile, Expected: r.Expected}
	if p.Header.Label != "" {
		p.Title = "oauthconf report: " + p.Header.Label
	}
	for _, pr := range r.Profiles {
		pv := profileView{Profile: pr, Anchor: slug("p", pr.Name), Must: pr.Counts(outputs.LevelMust), Should: pr.Counts(outputs.LevelShould), May: pr.Counts(outputs.LevelMay)}
		p.May = p.May || pv.May.Total() > 0
		for _, f := range pr.Features {
			c := f.Counts("")
			pv.Features = append(pv.Features, featureView{Feature: f, Anchor: slug("p", pr.Name, f.Name), Counts: c, Open: c.Failed+c.Errors > 0})
		}
		p.Profiles = append(p.Profiles, pv)
		ok := pr.Gating(outputs.LevelMust)+pv.Must.Errors == 0
		p.Headlines = append(p.Headlines, headline{Text: pr.Headline(), OK: ok})
	}
	for _, fname := range p.Features {
		row := matrixRow{Feature: fname}
		for _, pr := range r.Profiles {
			f, ok := pr.Feature(fname)
			cell := matrixCell{Present: ok}
			if ok {
				cell.Anchor = slug("p", pr.Name, fname)
				cell.Counts = f.Counts("")
				cell.Text, cell.Title = shortTally(cell.Counts), cell.Counts.Tally()
				switch {
				case cell.Counts.Failed+cell.Counts.Errors > 0:
					cell.Class = "fail"
				case cell.Counts.Passed > 0:
					cell.Class = "pass"
				default:
					cell.Class = "skip"
				}
			}
			row.Cells = append(row.Cells, cell)
		}
		p.Matrix = append(p.Matrix, row)
	}
	for _, ls := range r.Load {
		lv := loadView{LoadScenario: ls, Anchor: slug("l", ls.Name)}
		for _, st := range ls.Steps {
			lv.StepViews = append(lv.StepViews, stepCharts(ls.Name, st))
		}
		if len(ls.Steps) == 0 && len(ls.Distribution) > 0 {
			lv.HGRMChart = distChart(ls.Name+": latency distribution (latency.hgrm)", ls.Distribution)
		}
		p.Load = append(p.Load, lv)
	}
	p.Verdict = r.Verdict()
	return p
}

// Verdict is "error" when verify stopped before any scenario ran (summary.json
// has an error: exit 2); "fail" when the run failed as the exit codes say
// (verify exited 1 and was not merely interrupted, or, when summary.json does
// not give the exit code, a MUST scenario failed or the harness erred; a load
// scenario missed its SLO or got not one valid token response; a capacity
// search found no rate); "incomplete" when verify was interrupted and nothing
// that ran failed; "pass" when there was something to judge and nothing
// failed; "none" otherwise. So the report never says PASS for a run whose
// exit code failed it (verify --strict fails on SHOULD scenarios too).
func (r *Run) Verdict() string {
	v, _ := r.judge()
	return v
}

// VerdictReasons says why the verdict is what it is, one line per reason
// ("profile ucommerce: 2 MUST scenarios failed"); empty for pass and none.
func (r *Run) VerdictReasons() []string {
	_, why := r.judge()
	return why
}

func (r *Run) judge() (string, []string) {
	if r.Verify != nil && r.Verify.Error != "" {
		return "error", []string{"verify stopped before any scenario ran (exit 2)"}
	}
	why := r.conformanceFailures()
	for _, l := range r.Load {
		if f := l.Failed(); f != "" {
			why = append(why, "load "+l.Name+": "+f)
		}
	}
	if c := r.Capacity; c != nil && c.Rate == 0 {
		why = append(why, "capacity search: no probed rate met the SLO "+c.SLO)
	}
	switch {
	case len(why) > 0:
		return "fail", why
	case r.Verify != nil && r.Verify.Stopped != "":
		return "incomplete", []string{"verify stopped, " + r.Verify.Stopped + ": the counts cover only the scenarios that ran; the others are listed as not tested"}
	case r.Verify != nil && r.Verify.Interrupted:
		return "incomplete", []string{"verify was interrupted: the counts cover only the scenarios that ran"}
	case len(r.Profiles) > 0 || r.Capacity != nil:
		return "pass", nil
	}
	for _, l := range r.Load {
		if l.Report != nil {
			return "pass", nil
		}
	}
	return "none", nil
}

// conformanceFailures says why verify failed the run: the exit code when
// summary.json gives it (1, unless only interrupted), explained by the
// counts (failures an unexpired expected-failures entry expects left out)
// and the expected-failures entries that gate; else the counts alone (a
// failed MUST scenario, a harness error) and the gating entries.
func (r *Run) conformanceFailures() []string {
	var why, should []string
	for _, p := range r.Profiles {
		must, sh := p.Counts(outputs.LevelMust), p.Counts(outputs.LevelShould)
		if n := p.Gating(outputs.LevelMust); n > 0 {
			why = append(why, fmt.Sprintf("profile %s: %d MUST scenario(s) failed", p.Name, n))
		}
		if n := must.Errors + sh.Errors; n > 0 {
			why = append(why, fmt.Sprintf("profile %s: %d harness error(s)", p.Name, n))
		}
		for _, rc := range p.RootCauses {
			if rc.Finding && rc.Level == outputs.LevelMust && !rc.Expected.Holds() {
				why = append(why, fmt.Sprintf("profile %s: MUST finding %s: %s", p.Name, rc.Rule, rc.Cause))
			}
		}
		if n := p.Gating(outputs.LevelShould); n > 0 {
			should = append(should, fmt.Sprintf("profile %s: %d SHOULD scenario(s) failed (gating under --strict)", p.Name, n))
		}
	}
	why = append(why, r.gatingExpected()...)
	v := r.Verify
	if v == nil || v.ExitCode == nil {
		return why
	}
	switch {
	case *v.ExitCode == 0:
		return nil // nothing gated (a failure may be expected)
	case len(why) > 0:
		return why
	case len(should) > 0:
		return should
	case v.Interrupted:
		return nil
	}
	return []string{fmt.Sprintf("verify exited %d", *v.ExitCode)}
}

// shortTally is a matrix cell: "3 ✔ · 1 ✘ · 1 not tested · 2 n/a · 1 error",
// zero counts of the last three left out.
func shortTally(c Counts) string {
	parts := []string{fmt.Sprintf("%d ✔", c.Passed), fmt.Sprintf("%d ✘", c.Failed)}
	for _, e := range []struct {
		n    int
		what string
	}{{c.NotTested, "not tested"}, {c.Skipped, "n/a"}, {c.Errors, "error"}} {
		if e.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", e.n, e.what))
		}
	}
	return strings.Join(parts, " · ")
}

// Series colours (colour-blind friendly).
const (
	colBlue   = "#0072b2"
	colOrange = "#e69f00"
	colRed    = "#d55e00"
	colGreen  = "#009e73"
)

func stepCharts(scenario string, st LoadStep) stepView {
	var p50, p99, thr, errRate [][2]float64
	for _, b := range st.Series {
		x := (b.Offset + b.Width/2).Seconds()
		if b.Requests-b.Errors > 0 {
			p50 = append(p50, [2]float64{x, ms(b.P50)})
			p99 = append(p99, [2]float64{x, ms(b.P99)})
		}
		// The last bucket is usually partial: its rate would dip for no reason.
		if b.Offset+b.Width <= st.Span || len(st.Series) == 1 {
			thr = append(thr, [2]float64{x, float64(b.Requests-b.Errors) / b.Width.Seconds()})
		}
		if b.Requests > 0 {
			errRate = append(errRate, [2]float64{x, float64(b.Errors) / float64(b.Requests)})
		}
	}
	name := scenario + " / " + st.Name
	sec := func(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) + "s" }
	return stepView{
		LoadStep: st,
		LatencySVG: chart{Title: name + ": latency over time", XLabel: "time since start (s)", YLabel: "latency", XTick: sec, YTick: fmtMs, YMin0: true,
			Series: []line{{Name: "p50", Color: colBlue, Points: p50}, {Name: "p99", Color: colOrange, Points: p99}}}.svg(),
		DistSVG: distChart(name+": latency distribution (HDR)", st.Distribution),
		ThroughputSVG: chart{Title: name + ": throughput (successful responses/s)", XLabel: "time since start (s)", YLabel: "responses/s", XTick: sec, YMin0: true,
			Series: []line{{Name: "ok/s", Color: colGreen, Points: thr}}}.svg(),
		ErrorRateSVG: chart{Title: name + ": error rate", XLabel: "time since start (s)", YLabel: "errors", XTick: sec, YTick: fmtPct, YMin0: true,
			Series: []line{{Name: "error rate", Color: colRed, Points: errRate}}}.svg(),
	}
}

func distChart(title string, dist []Percentile) template.HTML {
	var pts [][2]float64
	for _, d := range dist {
		if d.Quantile >= 1 {
			continue // 1/(1-q) is infinite: the max is in the table
		}
		pts = append(pts, [2]float64{1 / (1 - d.Quantile), ms(d.Value)})
	}
	return chart{Title: title, XLabel: "percentile", YLabel: "latency", LogX: true, XTick: fmtHDRX, YTick: fmtMs, YMin0: true,
		Series: []line{{Name: "latency", Color: colBlue, Points: pts, Dots: true}}}.svg()
}

func timeDuration(ns int64) time.Duration { return time.Duration(ns) }

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// fmtDuration formats a latency with three significant digits.
func fmtDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d < time.Microsecond:
		return fmt.Sprintf("%dns", d)
	case d < time.Millisecond:
		return fmt.Sprintf("%.3gµs", float64(d)/float64(time.Microsecond))
	case d < time.Second:
		return fmt.Sprintf("%.3gms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.3gs", d.Seconds())
	}
}
