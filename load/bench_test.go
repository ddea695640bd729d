package load

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oauthconf/oauthconf/internal/demo"
	"github.com/oauthconf/oauthconf/profile"
	"github.com/oauthconf/oauthconf/reference"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// The benchmarks run their targets in child processes (this test binary
// re-executed with benchServerEnv set), so that the load generator and the
// server do not share a Go runtime.
const benchServerEnv = "OAUTHCONF_LOAD_BENCH_SERVER"

func TestMain(m *testing.M) {
	if kind := os.Getenv(benchServerEnv); kind != "" {
		os.Exit(serveForBench(kind))
	}
	os.Exit(m.Run())
}

// bareBody is a fixed, valid rfc6749 token response.
var bareBody = []byte(`{"access_token":"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjb25mLWNsaWVudCJ9.c2lnbmF0dXJl","token_type":"Bearer","expires_in":3600}`)

func serveForBench(kind string) int {
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header()["Content-Type"] = []string{"application/json"}
		_, _ = w.Write(bareBody)
	})
	if kind == "reference" {
		srv, err := reference.New(reference.DemoConfig())
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		h = srv
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	fmt.Println(ln.Addr().String())
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); os.Exit(0) }()
	_ = http.Serve(ln, h)
	return 0
}

func startBenchTarget(b *testing.B, kind string) (string, func()) {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), benchServerEnv+"="+kind)
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		b.Fatalf("%s target did not start: %v", kind, err)
	}
	return "http://" + strings.TrimSpace(addr), func() { in.Close(); _ = cmd.Wait() }
}

const (
	benchWorkers = 32
	benchRound   = 1500 * time.Millisecond
	benchPairs   = 5
)

// plainVegeta is the baseline: what `vegeta attack -rate 0 -output results.bin`
// does with the same request and worker count — attack, encode every result
// (buffered) — plus vegeta's metrics, as `vegeta report` would compute them.
// No validation, no histograms, no timeline.
func plainVegeta(b *testing.B, base string, o Options) float64 {
	f, err := os.Create(b.TempDir() + "/results.bin")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 256<<10)
	enc := vegeta.NewEncoder(bw)
	tr, err := o.Profile.NewTokenRequest(ClientCredentials, o.Credentials)
	if err != nil {
		b.Fatal(err)
	}
	tgt := vegeta.Target{Method: tr.Method, URL: base + tr.Path, Body: tr.Body, Header: tr.Header}
	atk := vegeta.NewAttacker(vegeta.Workers(benchWorkers), vegeta.MaxWorkers(benchWorkers), vegeta.KeepAlive(true))
	var m vegeta.Metrics
	for r := range atk.Attack(vegeta.NewStaticTargeter(tgt), maxRatePacer{}, benchRound, "plain") {
		m.Add(r)
		if err := enc.Encode(r); err != nil {
			b.Fatal(err)
		}
	}
	if err := bw.Flush(); err != nil {
		b.Fatal(err)
	}
	m.Close()
	if m.Success < 1 {
		b.Fatalf("plain vegeta: success %.3f, errors %v", m.Success, m.Errors)
	}
	return float64(m.Requests) / m.Duration.Seconds()
}

// harness runs the same request through load.Run, with validation, results.bin
// encoding, histograms and the timeline.
func harness(b *testing.B, base string, o Options) float64 {
	o.BaseURL, o.Rate, o.Duration, o.Workers, o.OutDir = base, 0, benchRound, benchWorkers, b.TempDir()
	o.MaxRequests = 10_000_000
	rep, err := Run(context.Background(), o)
	if err != nil {
		b.Fatal(err)
	}
	if rep.SuccessRatio < 1 {
		b.Fatalf("harness: success %.3f, errors %v", rep.SuccessRatio, rep.Errors)
	}
	return float64(rep.Requests) / rep.DurationSeconds
}

func benchOptions(b *testing.B) Options {
	p, err := profile.Load("rfc6749")
	if err != nil {
		b.Fatal(err)
	}
	creds, err := profile.Resolve(p, demo.For("rfc6749"), func(string) string { return "" })
	if err != nil {
		b.Fatal(err)
	}
	return Options{Profile: p, Credentials: creds, Scenario: ClientCredentials}
}

// pairedMedian runs a then b back to back (alternating order) and returns
// the median of a/b ratios and the medians of each.
func pairedMedian(a, c func() float64) (ratio, ma, mc float64, ratios []float64) {
	var as, cs []float64
	for i := 0; i < benchPairs; i++ {
		var x, y float64
		runtime.GC() // neither round pays for the other's garbage
		if i%2 == 0 {
			x, y = a(), c()
		} else {
			y, x = c(), a()
		}
		as, cs, ratios = append(as, x), append(cs, y), append(ratios, x/y)
	}
	return med(ratios), med(as), med(cs), ratios
}

func med(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}

func show(rs []float64) string {
	p := make([]string, len(rs))
	for i, r := range rs {
		p[i] = strconv.FormatFloat(r, 'f', 2, 64)
	}
	return strings.Join(p, " ")
}

// BenchmarkHarnessOverhead prints the maximum throughput of `oauthconf load`
// (load.Run) divided by a plain vegeta attack with the same requests against
// the same loopback target (aim ≥ 0.95: the harness must not be the
// bottleneck). It ignores b.N; run it with -benchtime 1x (make bench).
func BenchmarkHarnessOverhead(b *testing.B) {
	base, stop := startBenchTarget(b, "bare")
	defer stop()
	o := benchOptions(b)
	ratio, h, p, rs := pairedMedian(func() float64 { return harness(b, base, o) }, func() float64 { return plainVegeta(b, base, o) })
	b.ReportMetric(ratio, "ratio")
	fmt.Printf("\nload harness vs plain vegeta, max rate, %d workers, same loopback target (fixed token handler), %d paired rounds of %s:\n", benchWorkers, benchPairs, benchRound)
	fmt.Printf("  plain vegeta attack   : %8.0f req/s\n", p)
	fmt.Printf("  oauthconf load        : %8.0f req/s  (validation, results.bin, HDR)\n", h)
	fmt.Printf("  ratio load/vegeta     : %.2f  (median of pairs %s; aim ≥ 0.95)\n\n", ratio, show(rs))
}

// BenchmarkReferenceUnderLoad prints the reference server's client_credentials
// throughput under `oauthconf load` next to a bare net/http handler answering
// a fixed token, under the same harness, as a ratio.
func BenchmarkReferenceUnderLoad(b *testing.B) {
	bare, stopBare := startBenchTarget(b, "bare")
	defer stopBare()
	ref, stopRef := startBenchTarget(b, "reference")
	defer stopRef()
	o := benchOptions(b)
	ratio, r, h, rs := pairedMedian(func() float64 { return harness(b, ref, o) }, func() float64 { return harness(b, bare, o) })
	b.ReportMetric(ratio, "ratio")
	fmt.Printf("\nreference client_credentials under oauthconf load vs a bare net/http handler, %d paired rounds of %s:\n", benchPairs, benchRound)
	fmt.Printf("  bare handler          : %8.0f req/s\n", h)
	fmt.Printf("  reference server      : %8.0f tokens/s\n", r)
	fmt.Printf("  ratio reference/bare  : %.2f  (median of pairs %s)\n\n", ratio, show(rs))
}
