package reports

import (
	"html/template"
	"strconv"

	"github.com/oauthconf/oauthconf/internal/outputs"
)

// ServerView is what the page shows of report.json's server object (load
// --server-pid): its line, its warnings and charts of its RSS and CPU over
// the run.
type ServerView struct {
	*outputs.ServerCost
	RSSSVG, CPUSVG template.HTML
}

// ServerCost is the scenario's server view; nil without a server object.
func (l LoadScenario) ServerCost() *ServerView {
	if l.Report == nil || l.Report.Server == nil {
		return nil
	}
	c := l.Report.Server
	var rss, cpu [][2]float64
	for i, s := range c.Series {
		rss = append(rss, [2]float64{s.Second, float64(s.RSSBytes) / (1 << 20)})
		if i > 0 {
			prev := c.Series[i-1]
			// The last sample follows the last tick closely: its few ticks of CPU would read as a dip or a spike.
			if dt := s.Second - prev.Second; dt > 0 && dt >= c.IntervalSeconds/2 {
				cpu = append(cpu, [2]float64{s.Second, (s.CPUSeconds - prev.CPUSeconds) / dt})
			}
		}
	}
	sec := func(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) + "s" }
	title := l.Name + ": server process " + strconv.Itoa(c.PID)
	return &ServerView{ServerCost: c,
		RSSSVG: chart{Title: title + " RSS (MiB)", XLabel: "time since the first sample (s)", YLabel: "MiB", XTick: sec, YMin0: true,
			Series: []line{{Name: "RSS", Color: colBlue, Points: rss}}}.svg(),
		CPUSVG: chart{Title: title + " CPU (cores)", XLabel: "time since the first sample (s)", YLabel: "cores", XTick: sec, YMin0: true,
			Series: []line{{Name: "CPU", Color: colOrange, Points: cpu}}}.svg(),
	}
}
