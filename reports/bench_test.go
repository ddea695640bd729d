package reports

import (
	"bytes"
	"context"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// BenchmarkReadResults measures decoding and summarising vegeta results (per step
// HDR histograms and time series), reported per result.
func BenchmarkReadResults(b *testing.B) {
	const n = 100_000
	var buf bytes.Buffer
	enc := vegeta.NewEncoder(&buf)
	for i := range n {
		r := vegeta.Result{Attack: "mix/cc.token", Code: 200, Timestamp: fixtureStart.Add(time.Duration(i) * time.Millisecond), Latency: time.Duration(1+i%5000) * time.Microsecond}
		if i%3 == 0 {
			r.Attack = "mix/code.exchange"
		}
		if err := enc.Encode(&r); err != nil {
			b.Fatal(err)
		}
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		steps, got, err := readResults(context.Background(), bytes.NewReader(data), "mix")
		if err != nil || got != n || len(steps) != 2 {
			b.Fatalf("readResults: %d results, %d steps, %v", got, len(steps), err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/result")
}
