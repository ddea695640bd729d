package reference

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The issuance benchmark runs each server in a child process (this test binary
// re-executed with OAUTHCONF_BENCH_SERVER set) so that the server's own CPU time
// can be read from /proc, apart from the load generator's.
const benchServerEnv = "OAUTHCONF_BENCH_SERVER"

func TestMain(m *testing.M) {
	if kind := os.Getenv(benchServerEnv); kind != "" {
		os.Exit(serveForBench(kind))
	}
	os.Exit(m.Run())
}

// bareToken is the fixed body of the baseline handler: the same shape and size
// class as a real token response.
var bareToken = []byte(`{"access_token":"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJvYXV0aGNvbmYtcmVmZXJlbmNlIiwic3ViIjoiY29uZi1jbGllbnQiLCJjbGllbnRfaWQiOiJjb25mLWNsaWVudCIsInNjb3BlIjoicmVhZCIsImp0aSI6ImZiNjVjNTJhMzU1YjgwNzYyNGQyYjMzYTNhZmY0OWE2IiwiaWF0IjoxNzk1Mzg3OTIzLCJuYmYiOjE3OTUzODc5MjMsImV4cCI6MTc5NTM5MTUyM30.pzCZX6-Lkfx6PMnuI0-bVNC4aQdvbmLEESxjgRayw_s","token_type":"Bearer","expires_in":3600,"scope":"read"}`)

// bareHandler is the baseline: a plain net/http handler that reads the request
// and answers a fixed token, doing no OAuth work at all.
func bareHandler(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	h := w.Header()
	h["Content-Type"] = []string{"application/json; charset=utf-8"}
	h["Cache-Control"] = []string{"no-store"}
	h["Pragma"] = []string{"no-cache"}
	_, _ = w.Write(bareToken)
}

func serveForBench(kind string) int {
	var h http.Handler = http.HandlerFunc(bareHandler)
	heap := ""
	if kind == "reference" || kind == benchFullKind {
		srv, err := New(DemoConfig())
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		if kind == benchFullKind {
			heap = " " + strconv.FormatUint(fillOpaque(srv, DefaultMaxEntries), 10)
		}
		h = srv
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	fmt.Println(ln.Addr().String() + heap)
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); os.Exit(0) }() // exit when the parent goes
	_ = http.Serve(ln, h)
	return 0
}

// benchServer is a child process serving one kind of handler on loopback.
type benchServer struct {
	cmd  *exec.Cmd
	addr string
	in   io.WriteCloser
	heap uint64 // heap in use after filling its store (reference-full only)
}

func startBenchServer(b *testing.B, kind string) *benchServer {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), benchServerEnv+"="+kind)
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatalf("start %s server: %v", kind, err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		b.Fatalf("%s server did not report its address: %v", kind, err)
	}
	f := strings.Fields(line)
	s := &benchServer{cmd: cmd, addr: f[0], in: in}
	if len(f) > 1 {
		s.heap, _ = strconv.ParseUint(f[1], 10, 64)
	}
	return s
}

func (s *benchServer) stop() { s.in.Close(); _ = s.cmd.Wait() }

// cpu returns the child's user+system CPU time from /proc (Linux), or 0.
func (s *benchServer) cpu() time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+2:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * (time.Second / 100) // USER_HZ is 100 on Linux
}

// tokenRequestFor is one client_credentials token request, sent again and again.
type tokenRequestFor struct {
	url, body, auth string
}

// rfcTokenRequest is the RFC 6749 dialect's client_credentials request (HTTP Basic).
func rfcTokenRequest(addr string) tokenRequestFor {
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(rfcID+":"+rfcSecret))
	return tokenRequestFor{url: "http://" + addr + "/oauth2/token", body: "grant_type=client_credentials", auth: auth}
}

// hammer sends the token request from workers for d and returns how many
// succeeded (200) and how many did not.
func hammer(tr0 tokenRequestFor, workers int, d time.Duration) (ok, bad int64) {
	tr := &http.Transport{MaxIdleConnsPerHost: workers, MaxConnsPerHost: workers, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var nOK, nBad atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				req, _ := http.NewRequest(http.MethodPost, tr0.url, strings.NewReader(tr0.body))
				req.Header["Content-Type"] = []string{"application/x-www-form-urlencoded"}
				if tr0.auth != "" {
					req.Header["Authorization"] = []string{tr0.auth}
				}
				resp, err := client.Do(req)
				if err != nil {
					nBad.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == 200 {
					nOK.Add(1)
				} else {
					nBad.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	return nOK.Load(), nBad.Load()
}

// BenchmarkIssuance measures client_credentials issuance (RFC 6749 dialect,
// HS256 JWT access tokens) of the reference server against a bare net/http
// handler answering a fixed token, in the same run. Rounds are paired (bare and
// reference back to back, in alternating order) and the median of the pairs'
// ratios is reported, which cancels most of a shared machine's drift; the
// servers' CPU time per request is read from /proc. Run it with `make bench`
// (or -bench Issuance -benchtime 1x); it ignores b.N.
func BenchmarkIssuance(b *testing.B) {
	const (
		pairs   = 7
		workers = 32
		round   = 1500 * time.Millisecond
	)
	bare, ref := startBenchServer(b, "bare"), startBenchServer(b, "reference")
	defer bare.stop()
	defer ref.stop()
	measure := func(s *benchServer) (rate float64, cpuPer time.Duration) {
		tr0 := rfcTokenRequest(s.addr)
		hammer(tr0, workers, 200*time.Millisecond) // warm up connections
		c0 := s.cpu()
		start := time.Now()
		ok, bad := hammer(tr0, workers, round)
		el := time.Since(start)
		if bad > 0 {
			b.Fatalf("%d of %d requests to %s failed", bad, ok+bad, s.addr)
		}
		if ok > 0 {
			cpuPer = (s.cpu() - c0) / time.Duration(ok)
		}
		return float64(ok) / el.Seconds(), cpuPer
	}
	var bareRates, refRates, ratios []float64
	var bareCPU, refCPU []time.Duration
	for i := 0; i < pairs; i++ {
		var br, rr float64
		var bc, rc time.Duration
		if i%2 == 0 {
			br, bc = measure(bare)
			rr, rc = measure(ref)
		} else {
			rr, rc = measure(ref)
			br, bc = measure(bare)
		}
		bareRates, refRates, ratios = append(bareRates, br), append(refRates, rr), append(ratios, rr/br)
		bareCPU, refCPU = append(bareCPU, bc), append(refCPU, rc)
	}
	br, rr, ratio := median(bareRates), median(refRates), median(ratios)
	bc, rc := medianDur(bareCPU), medianDur(refCPU)
	b.ReportMetric(br, "bare-req/s")
	b.ReportMetric(rr, "ref-tokens/s")
	b.ReportMetric(ratio, "ratio")
	b.ReportMetric(float64(rc.Microseconds()), "ref-cpu-µs/token")
	b.ReportMetric(float64(bc.Microseconds()), "bare-cpu-µs/req")
	fmt.Printf("\nclient_credentials issuance (RFC 6749 dialect, HS256 JWT), %d workers, %d paired rounds of %s:\n", workers, pairs, round)
	fmt.Printf("  bare net/http handler : %8.0f req/s   server CPU %4d µs/req   (medians)\n", br, bc.Microseconds())
	fmt.Printf("  reference server      : %8.0f tok/s   server CPU %4d µs/token\n", rr, rc.Microseconds())
	fmt.Printf("  throughput ratio      : %.2f  (median of paired rounds; aim ≥ 0.85; pairs %s)\n", ratio, fmtRatios(ratios))
	if rc > 0 {
		fmt.Printf("  CPU-cost ratio        : %.2f  (bare CPU per request / reference CPU per token)\n", float64(bc)/float64(rc))
	}
	fmt.Println()
}

func fmtRatios(rs []float64) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = strconv.FormatFloat(r, 'f', 2, 64)
	}
	return strings.Join(parts, " ")
}

// BenchmarkMint measures minting alone (no HTTP) for each dialect.
func BenchmarkMint(b *testing.B) {
	srv, err := New(DemoConfig(), WithPurgeInterval(0))
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	for _, d := range []dialect{srv.uc, srv.sw, srv.ep, srv.rfc} {
		b.Run(d.name(), func(b *testing.B) {
			b.ReportAllocs()
			sess := &session{grant: "client_credentials", clientID: "c", userID: "u", sessionID: "s", scope: "read"}
			for i := 0; i < b.N; i++ {
				if _, err := d.mint(sess, false); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}

func medianDur(xs []time.Duration) time.Duration {
	s := append([]time.Duration(nil), xs...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
