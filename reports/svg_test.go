package reports

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestChartSVG(t *testing.T) {
	sec := func(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) + "s" }
	cases := []struct {
		description string
		chart       chart
		want        []string
		wantNot     []*regexp.Regexp
	}{
		{"no points says no data", chart{Title: "empty"}, []string{"no data", `<svg class="chart"`}, nil},
		{"ticks read as people write them", chart{Title: "t", XTick: sec, Series: []line{{Name: "a", Color: colBlue, Points: [][2]float64{{0, 1}, {0.3, 2}, {0.9, 3}}}}},
			[]string{">0.6s<", "<polyline"}, []*regexp.Regexp{regexp.MustCompile(`\d\.\d{5,}`)}},
		{"NaN and Inf points are left out", chart{Title: "t", Series: []line{{Name: "a", Color: colBlue, Points: [][2]float64{{0, 1}, {1, math.NaN()}, {2, math.Inf(1)}, {3, 2}}}}},
			[]string{"<polyline"}, []*regexp.Regexp{regexp.MustCompile(`NaN|Inf`)}},
		{"titles are escaped", chart{Title: `<script>alert(1)</script>`}, []string{"&lt;script&gt;"}, []*regexp.Regexp{regexp.MustCompile(`<script>`)}},
		{"log x axis labels percentiles", chart{Title: "hdr", LogX: true, XTick: fmtHDRX, Series: []line{{Name: "l", Color: colBlue, Points: [][2]float64{{1, 1}, {10, 2}, {100, 3}, {1000, 4}}}}},
			[]string{">0%<", ">90%<", ">99%<", ">99.9%<"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			got := string(tc.chart.svg())
			assert.True(t, strings.HasSuffix(got, "</svg>"))
			for _, w := range tc.want {
				assert.Contains(t, got, w)
			}
			for _, re := range tc.wantNot {
				assert.Empty(t, re.FindAllString(got, -1))
			}
		})
	}
}
