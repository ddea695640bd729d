package reports

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// chart is a line chart rendered as inline SVG.
type chart struct {
	Title  string
	XLabel string
	YLabel string
	LogX   bool // x is plotted as log10(x) (for HDR's 1/(1-q) axis)
	XTick  func(float64) string
	YTick  func(float64) string
	Series []line
	YMin0  bool // y axis starts at 0
}

// line is one series of a chart.
type line struct {
	Name   string
	Color  string
	Points [][2]float64
	Dots   bool // draw points, not only the line
}

const (
	svgW, svgH                     = 640, 260
	padL, padR, padT, padB float64 = 64, 16, 28, 42
)

// svg renders the chart. Empty charts render a "no data" box.
func (c chart) svg() template.HTML {
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" role="img" aria-label="%s">`, svgW, svgH, html.EscapeString(c.Title))
	fmt.Fprintf(&b, `<title>%s</title><text class="ct" x="%g" y="16">%s</text>`, html.EscapeString(c.Title), padL, html.EscapeString(c.Title))
	pl, n := c.scale()
	fmt.Fprintf(&b, `<rect class="plot" x="%g" y="%g" width="%g" height="%g"/>`, padL, padT, pl.pw, pl.ph)
	if n == 0 {
		fmt.Fprintf(&b, `<text class="nodata" x="%g" y="%g">no data</text></svg>`, padL+pl.pw/2, padT+pl.ph/2)
		return template.HTML(b.String())
	}
	pl.grid(&b)
	fmt.Fprintf(&b, `<text class="xl" x="%g" y="%d">%s</text>`, padL+pl.pw/2, svgH-6, html.EscapeString(c.XLabel))
	fmt.Fprintf(&b, `<text class="yl" transform="translate(12 %g) rotate(-90)">%s</text>`, padT+pl.ph/2, html.EscapeString(c.YLabel))
	pl.series(&b)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// plot is a chart with its axes' ranges (x after LogX) and the plot area's
// size.
type plot struct {
	chart
	xmin, xmax, ymin, ymax float64
	ystep                  float64
	pw, ph                 float64
}

// finite reports whether the point can be drawn.
func finite(p [2]float64) bool {
	return !math.IsNaN(p[0]) && !math.IsNaN(p[1]) && !math.IsInf(p[0], 0) && !math.IsInf(p[1], 0)
}

// tx is x on the axis' scale (log10 with LogX).
func (c chart) tx(x float64) float64 {
	if c.LogX {
		return math.Log10(math.Max(x, 1))
	}
	return x
}

// scale computes the axes' ranges from the drawable points, and how many
// there are.
func (c chart) scale() (plot, int) {
	pl := plot{chart: c, xmin: math.Inf(1), xmax: math.Inf(-1), ymin: math.Inf(1), ymax: math.Inf(-1),
		pw: svgW - padL - padR, ph: svgH - padT - padB}
	n := 0
	for _, s := range c.Series {
		for _, p := range s.Points {
			if !finite(p) {
				continue
			}
			x := c.tx(p[0])
			pl.xmin, pl.xmax = math.Min(pl.xmin, x), math.Max(pl.xmax, x)
			pl.ymin, pl.ymax = math.Min(pl.ymin, p[1]), math.Max(pl.ymax, p[1])
			n++
		}
	}
	if n == 0 {
		return pl, 0
	}
	if c.YMin0 || pl.ymin > 0 {
		pl.ymin = math.Min(0, pl.ymin)
	}
	if pl.ymax <= pl.ymin {
		pl.ymax = pl.ymin + 1
	}
	if pl.xmax <= pl.xmin {
		pl.xmax = pl.xmin + 1
	}
	pl.ystep = niceStep((pl.ymax - pl.ymin) / 5)
	pl.ymax = math.Ceil(pl.ymax/pl.ystep) * pl.ystep
	return pl, n
}

func (pl plot) sx(x float64) float64 { return padL + (pl.tx(x)-pl.xmin)/(pl.xmax-pl.xmin)*pl.pw }
func (pl plot) sy(y float64) float64 { return padT + pl.ph - (y-pl.ymin)/(pl.ymax-pl.ymin)*pl.ph }

func defaultTick(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }

// grid draws the grid lines and the ticks of both axes.
func (pl plot) grid(b *strings.Builder) {
	ytick := pl.YTick
	if ytick == nil {
		ytick = defaultTick
	}
	for i := 0; pl.ymin+float64(i)*pl.ystep <= pl.ymax+pl.ystep/1e6; i++ {
		y := roundTo(pl.ymin+float64(i)*pl.ystep, pl.ystep)
		fmt.Fprintf(b, `<line class="grid" x1="%g" x2="%g" y1="%.1f" y2="%.1f"/><text class="yt" x="%g" y="%.1f">%s</text>`,
			padL, padL+pl.pw, pl.sy(y), pl.sy(y), padL-4, pl.sy(y)+4, html.EscapeString(ytick(y)))
	}
	xtick := pl.XTick
	if xtick == nil {
		xtick = defaultTick
	}
	xline := func(x float64) {
		fmt.Fprintf(b, `<line class="grid" x1="%.1f" x2="%.1f" y1="%g" y2="%g"/><text class="xt" x="%.1f" y="%g">%s</text>`,
			pl.sx(x), pl.sx(x), padT, padT+pl.ph, pl.sx(x), padT+pl.ph+14, html.EscapeString(xtick(x)))
	}
	if pl.LogX {
		for e := math.Floor(pl.xmin); e <= pl.xmax+1e-9; e++ {
			xline(math.Pow(10, e))
		}
		return
	}
	xstep := niceStep((pl.xmax - pl.xmin) / 6)
	for i, x0 := 0, math.Ceil(pl.xmin/xstep)*xstep; x0+float64(i)*xstep <= pl.xmax+xstep/1e6; i++ {
		xline(roundTo(x0+float64(i)*xstep, xstep))
	}
}

// series draws every series (the first on top) and its legend entry.
func (pl plot) series(b *strings.Builder) {
	lx := padL + pl.pw
	for i := len(pl.Series) - 1; i >= 0; i-- {
		s := pl.Series[i]
		var pts []string
		for _, p := range s.Points {
			if finite(p) {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", pl.sx(p[0]), pl.sy(p[1])))
			}
		}
		fmt.Fprintf(b, `<polyline class="series" fill="none" stroke="%s" stroke-width="1.6" points="%s"><title>%s</title></polyline>`,
			s.Color, strings.Join(pts, " "), html.EscapeString(s.Name))
		if s.Dots || len(pts) == 1 {
			for _, p := range pts {
				x, y, _ := strings.Cut(p, ",")
				fmt.Fprintf(b, `<circle cx="%s" cy="%s" r="2.2" fill="%s"/>`, x, y, s.Color)
			}
		}
		w := float64(len(s.Name))*6.5 + 18
		lx -= w
		fmt.Fprintf(b, `<rect x="%.1f" y="8" width="10" height="10" fill="%s"/><text class="lg" x="%.1f" y="17">%s</text>`,
			lx, s.Color, lx+13, html.EscapeString(s.Name))
	}
}

// roundTo rounds v to the precision of step (so ticks read 0.6, not 0.6000000000000001).
func roundTo(v, step float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(step))-2)
	return math.Round(v/p) * p
}

// niceStep rounds a raw tick step to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 || math.IsNaN(raw) || math.IsInf(raw, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	switch f := raw / p; {
	case f <= 1:
		return p
	case f <= 2:
		return 2 * p
	case f <= 5:
		return 5 * p
	default:
		return 10 * p
	}
}

// fmtMs formats milliseconds for axis ticks.
func fmtMs(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v >= 1000:
		return strconv.FormatFloat(v/1000, 'g', 3, 64) + "s"
	default:
		return strconv.FormatFloat(v, 'g', 3, 64) + "ms"
	}
}

// fmtPct formats a 0..1 ratio for axis ticks.
func fmtPct(v float64) string { return strconv.FormatFloat(v*100, 'g', 3, 64) + "%" }

// fmtHDRX labels HDR's 1/(1-q) axis with the percentile.
func fmtHDRX(x float64) string {
	if x <= 1 {
		return "0%"
	}
	return strconv.FormatFloat(100-100/x, 'f', -1, 64) + "%"
}
