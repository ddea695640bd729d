package outputs

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestCapacityResult: the headline says what the rate is — bracketed by a
// failed probe, or only a lower bound — never "the highest probed rate"
// when nothing above it failed.
func TestCapacityResult(t *testing.T) {
	probes := []CapacityProbe{{Rate: 100, Pass: true}, {Rate: 200, Pass: true}, {Rate: 400, Pass: false}}
	passing := []CapacityProbe{{Rate: 100, Pass: true}, {Rate: 200, Pass: true}}
	for _, tc := range []struct {
		description string
		c           Capacity
		want        string
	}{
		{"a failed probe above the rate brackets it", Capacity{Rate: 200, Outcome: CapacityFound, Probes: probes}, "200 req/s meets the SLO; 400 req/s missed it (3 probes)"},
		{"no failed probe is a lower bound", Capacity{Rate: 200, Outcome: CapacityLowerBound, Probes: passing}, "at least 200 req/s: no probe failed (2 probes; a lower bound)"},
		{"the generator's limit is not the target's", Capacity{Rate: 200, Outcome: CapacityGenerator, GeneratorLimit: 310, Probes: passing}, "at least 200 req/s: this machine could send only 310 req/s of the next probe, a lower bound set by the load generator, not the target (2 probes)"},
		{"an interrupted search is a lower bound", Capacity{Rate: 100, Outcome: CapacityInterrupted, Probes: passing[:1]}, "at least 100 req/s met the SLO before the search was interrupted (1 probes; a lower bound)"},
		{"no rate met the SLO", Capacity{Outcome: CapacityFound, Probes: probes[2:]}, "no probed rate met the SLO (1 probes)"},
		{"a file without outcome and a failed probe above", Capacity{Rate: 200, Probes: probes}, "200 req/s meets the SLO; 400 req/s missed it (3 probes)"},
	} {
		t.Run(tc.description, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.c.Result())
		})
	}
}
