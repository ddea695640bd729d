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

	tx := func(x float64) float64 {
		if c.LogX {
			return math.Log10(math.Max(x, 1))
		}
		return x
	}
	xmin, xmax, ymin, ymax := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	n := 0
	for _, s := range c.Series {
		for _, p := range s.Points {
			if math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.IsInf(p[0], 0) || math.IsInf(p[1], 0) {
				continue
			}
			x := tx(p[0])
			xmin, xmax = math.Min(xmin, x), math.Max(xmax, x)
			ymin, ymax = math.Min(ymin, p[1]), math.Max(ymax, p[1])
			n++
		}
	}
	pw, ph := svgW-padL-padR, svgH-padT-padB
	fmt.Fprintf(&b, `<rect class="plot" x="%g" y="%g" width="%g" height="%g"/>`, padL, padT, pw, ph)
	if n == 0 {
		fmt.Fprintf(&b, `<text class="nodata" x="%g" y="%g">no data</text></svg>`, padL+pw/2, padT+ph/2)
		return template.HTML(b.String())
	}
	if c.YMin0 || ymin > 0 {
		ymin = math.Min(0, ymin)
	}
	if ymax <= ymin {
		ymax = ymin + 1
	}
	if xmax <= xmin {
		xmax = xmin + 1
	}
	ystep := niceStep((ymax - ymin) / 5)
	ymax = math.Ceil(ymax/ystep) * ystep
	sx := func(x float64) float64 { return padL + (tx(x)-xmin)/(xmax-xmin)*pw }
	sy := func(y float64) float64 { return padT + ph - (y-ymin)/(ymax-ymin)*ph }

	// Grid and ticks.
	ytick := c.YTick
	if ytick == nil {
		ytick = func(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }
	}
	for i := 0; ymin+float64(i)*ystep <= ymax+ystep/1e6; i++ {
		y := roundTo(ymin+float64(i)*ystep, ystep)
		fmt.Fprintf(&b, `<line class="grid" x1="%g" x2="%g" y1="%.1f" y2="%.1f"/><text class="yt" x="%g" y="%.1f">%s</text>`,
			padL, padL+pw, sy(y), sy(y), padL-4, sy(y)+4, html.EscapeString(ytick(y)))
	}
	xtick := c.XTick
	if xtick == nil {
		xtick = func(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }
	}
	if c.LogX {
		for e := math.Floor(xmin); e <= xmax+1e-9; e++ {
			x := math.Pow(10, e)
			fmt.Fprintf(&b, `<line class="grid" x1="%.1f" x2="%.1f" y1="%g" y2="%g"/><text class="xt" x="%.1f" y="%g">%s</text>`,
				sx(x), sx(x), padT, padT+ph, sx(x), padT+ph+14, html.EscapeString(xtick(x)))
		}
	} else {
		xstep := niceStep((xmax - xmin) / 6)
		for i, x0 := 0, math.Ceil(xmin/xstep)*xstep; x0+float64(i)*xstep <= xmax+xstep/1e6; i++ {
			x := roundTo(x0+float64(i)*xstep, xstep)
			fmt.Fprintf(&b, `<line class="grid" x1="%.1f" x2="%.1f" y1="%g" y2="%g"/><text class="xt" x="%.1f" y="%g">%s</text>`,
				sx(x), sx(x), padT, padT+ph, sx(x), padT+ph+14, html.EscapeString(xtick(x)))
		}
	}
	fmt.Fprintf(&b, `<text class="xl" x="%g" y="%d">%s</text>`, padL+pw/2, svgH-6, html.EscapeString(c.XLabel))
	fmt.Fprintf(&b, `<text class="yl" transform="translate(12 %g) rotate(-90)">%s</text>`, padT+ph/2, html.EscapeString(c.YLabel))

	// Series and legend.
	lx := padL + pw
	for i := len(c.Series) - 1; i >= 0; i-- {
		s := c.Series[i]
		var pts []string
		for _, p := range s.Points {
			if math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.IsInf(p[0], 0) || math.IsInf(p[1], 0) {
				continue
			}
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", sx(p[0]), sy(p[1])))
		}
		fmt.Fprintf(&b, `<polyline class="series" fill="none" stroke="%s" stroke-width="1.6" points="%s"><title>%s</title></polyline>`,
			s.Color, strings.Join(pts, " "), html.EscapeString(s.Name))
		if s.Dots || len(pts) == 1 {
			for _, p := range pts {
				x, y, _ := strings.Cut(p, ",")
				fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="2.2" fill="%s"/>`, x, y, s.Color)
			}
		}
		w := float64(len(s.Name))*6.5 + 18
		lx -= w
		fmt.Fprintf(&b, `<rect x="%.1f" y="8" width="10" height="10" fill="%s"/><text class="lg" x="%.1f" y="17">%s</text>`,
			lx, s.Color, lx+13, html.EscapeString(s.Name))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
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
