package reference

import (
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// benchFullKind is the bench child whose Elastic Path token store starts full.
const benchFullKind = "reference-full"

// fillOpaque mints n Elastic Path client_credentials tokens straight into the
// server's store (as issuance does, without HTTP) and returns the heap in use
// afterwards, collected.
func fillOpaque(srv *Server, n int) uint64 {
	id := srv.cfg.ElasticPath.Clients[0].ClientID
	for i := 0; i < n; i++ {
		_, _ = srv.ep.mint(&session{grant: "client_credentials", clientID: id}, false)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// epTokenRequest is Elastic Path's client_credentials request (form body).
func epTokenRequest(addr string) tokenRequestFor {
	body := url.Values{"grant_type": {"client_credentials"}, "client_id": {epID}, "client_secret": {epSecret}}.Encode()
	return tokenRequestFor{url: "http://" + addr + "/oauth/access_token", body: body}
}

// rss returns a process's resident set size from /proc (Linux), or 0.
func rss(pid int) uint64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkIssuanceStoreScale measures Elastic Path client_credentials issuance
// (opaque tokens, each stored until it expires) with the token store at its
// bound, DefaultMaxEntries (about 1 M) live tokens, against the same server
// with an empty store, in the same run: paired rounds in alternating order,
// the median of the pairs' ratios. At the bound every insert also forgets the
// oldest token. It prints the heap in use and the RSS of the full server. Run
// it with `make bench`; it ignores b.N.
func BenchmarkIssuanceStoreScale(b *testing.B) {
	const (
		pairs   = 7
		workers = 32
		round   = 1500 * time.Millisecond
	)
	empty, full := startBenchServer(b, "reference"), startBenchServer(b, benchFullKind)
	defer empty.stop()
	defer full.stop()
	rssFull := rss(full.cmd.Process.Pid)
	measure := func(s *benchServer) float64 {
		tr0 := epTokenRequest(s.addr)
		hammer(tr0, workers, 200*time.Millisecond) // warm up connections
		start := time.Now()
		ok, bad := hammer(tr0, workers, round)
		if bad > 0 {
			b.Fatalf("%d of %d requests to %s failed", bad, ok+bad, s.addr)
		}
		return float64(ok) / time.Since(start).Seconds()
	}
	var emptyRates, fullRates, ratios []float64
	for i := 0; i < pairs; i++ {
		var er, fr float64
		if i%2 == 0 {
			er, fr = measure(empty), measure(full)
		} else {
			fr, er = measure(full), measure(empty)
		}
		emptyRates, fullRates, ratios = append(emptyRates, er), append(fullRates, fr), append(ratios, fr/er)
	}
	er, fr, ratio := median(emptyRates), median(fullRates), median(ratios)
	b.ReportMetric(er, "empty-tokens/s")
	b.ReportMetric(fr, "full-tokens/s")
	b.ReportMetric(ratio, "store-scale-ratio")
	b.ReportMetric(float64(full.heap>>20), "heap-MiB")
	fmt.Printf("\nElastic Path client_credentials issuance (opaque tokens, stored), %d workers, %d paired rounds of %s:\n", workers, pairs, round)
	fmt.Printf("  empty store           : %8.0f tok/s   (medians)\n", er)
	fmt.Printf("  %d live tokens   : %8.0f tok/s   (the store's bound: each insert forgets the oldest)\n", DefaultMaxEntries, fr)
	fmt.Printf("  store-scale ratio     : %.2f  (median of paired rounds; aim ≥ 0.8; pairs %s)\n", ratio, fmtRatios(ratios))
	fmt.Printf("  memory at %d tokens: heap in use %d MiB, RSS %d MiB after filling, %d MiB after the rounds\n",
		DefaultMaxEntries, full.heap>>20, rssFull>>20, rss(full.cmd.Process.Pid)>>20)
	fmt.Println()
}
