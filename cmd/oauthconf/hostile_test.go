package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/oauthconf/oauthconf/internal/hostile"
	"github.com/oauthconf/oauthconf/internal/redact"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// The secret the hostile targets get (and echo): special characters, so
// that every wire form of it differs (percent-, form-, JSON-encoded, Basic).
const (
	hostileID     = "hostile-client"
	hostileSecret = `s3c&r"t/é+1 x`
)

// Bounds the matrix asserts: verify's terminal output is bounded by the run's
// transcript bound (2 MiB) plus messages; every output file of a run together
// stays far below what one unbounded 8 MiB header used to cost (3.8 GB).
const (
	maxTerminal    = 3 << 20
	maxReportBytes = 24 << 20
)

// hostileCase is a target misbehaving one way, what verify and load must
// say about it, and the exit codes they may end with.
type hostileCase struct {
	description string
	start       func(t *testing.T) string // the target's base URL
	verifyCodes []int
	verifyMsg   string
	loadCodes   []int
	loadMsg     string
}

// TestHostileTargets is issue 13's matrix, all on loopback: each target runs
// verify (through the CLI) and load, and each must end within its bound,
// name the problem, keep its terminal output and files bounded, show no raw
// escape sequence, and show no form of the secret in any output byte
// (stdout, stderr, every file of --report-dir / --out, results.bin
// decoded); report still reads what they wrote.
func TestHostileTargets(t *testing.T) {
	for _, tc := range hostileCases() {
		t.Run(tc.description, func(t *testing.T) {
			if !raceDetector {
				// Under -race the cases run one after another: their time
				// bounds are what they check, and 13 at once on 2 cores under
				// the race detector starve each other past them.
				t.Parallel()
			}
			base := tc.start(t)
			dir := t.TempDir()
			outputs := map[string]string{}
			start := time.Now()
			code, out, errOut := runCLI(context.Background(), "verify", "--target", base, "--profile", "rfc6749",
				"--tags", "@grant-client_credentials,@vendor-token-type,@token-unique", "--timeout", "1s", "--max-time", "15s",
				"--credential", "client_id="+hostileID, "--credential", "client_secret="+hostileSecret,
				"--credential", "redirect_uri=http://127.0.0.1/cb", "--report-dir", dir, "-v") // -v: the transcripts too, the most a target can make verify print
			took := time.Since(start)
			outputs["verify stdout"], outputs["verify stderr"] = out, errOut
			// --max-time, then the reports of what ran (slow under -race).
			if took > 30*time.Second {
				t.Errorf("verify took %s, want it to end within --max-time 15s and the time to write its reports", took)
			}
			checkCode(t, "verify", code, tc.verifyCodes, out+errOut)
			if !strings.Contains(out+errOut, tc.verifyMsg) {
				t.Errorf("verify does not say %q:\n%.3000s\n%s", tc.verifyMsg, out, errOut)
			}
			if len(out)+len(errOut) > maxTerminal {
				t.Errorf("verify printed %d bytes, want at most %d", len(out)+len(errOut), maxTerminal)
			}

			start = time.Now()
			code, out, errOut = runCLI(context.Background(), "load", "--target", base, "--profile", "rfc6749", "--quiet",
				"--rate", "10", "--duration", "500ms", "--timeout", "1s",
				"--credential", "client_id="+hostileID, "--credential", "client_secret="+hostileSecret, "--out", dir)
			took = time.Since(start)
			outputs["load stdout"], outputs["load stderr"] = out, errOut
			if bound := loadBound(); took > bound {
				t.Errorf("load took %s, want at most %s: --duration 500ms plus a grace of --timeout 1s, its start-up check and its reports", took, bound)
			}
			checkCode(t, "load", code, tc.loadCodes, out+errOut)
			if !strings.Contains(out+errOut, tc.loadMsg) {
				t.Errorf("load does not say %q:\n%s\n%s", tc.loadMsg, out, errOut)
			}
			if len(out)+len(errOut) > 64<<10 {
				t.Errorf("load printed %d bytes", len(out)+len(errOut))
			}

			code, out, errOut = runCLI(context.Background(), "report", "--in", dir)
			outputs["report stdout"], outputs["report stderr"] = out, errOut
			if code != 0 {
				t.Errorf("report of what verify and load wrote: exit %d\n%s\n%s", code, out, errOut)
			}
			readOutputs(t, dir, outputs)
			checkNoSecret(t, outputs)
		})
	}
}

func checkCode(t *testing.T, what string, code int, want []int, out string) {
	t.Helper()
	for _, w := range want {
		if code == w {
			return
		}
	}
	t.Errorf("%s: exit %d, want one of %v\n%.3000s", what, code, want, out)
}

// readOutputs adds every file under dir to outputs (results.bin also
// decoded, field by field) and checks their total size.
func readOutputs(t *testing.T, dir string, outputs map[string]string) {
	t.Helper()
	total := 0
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, rerr := os.ReadFile(p)
		if rerr != nil {
			t.Error(rerr)
			return nil
		}
		total += len(b)
		outputs[p] = string(b)
		if filepath.Base(p) == "results.bin" {
			outputs[p+" (decoded)"] = decodeResults(t, b)
		}
		return nil
	})
	if total > maxReportBytes {
		t.Errorf("the run's files hold %d bytes, want at most %d", total, maxReportBytes)
	}
}

func decodeResults(t *testing.T, b []byte) string {
	t.Helper()
	dec := vegeta.NewDecoder(bytes.NewReader(b))
	var sb strings.Builder
	for {
		var r vegeta.Result
		if err := dec.Decode(&r); err != nil {
			if err != io.EOF {
				t.Errorf("results.bin: %v", err)
			}
			return sb.String()
		}
		fmt.Fprintf(&sb, "%s %s %s %s %s %v\n", r.Attack, r.Method, r.URL, r.Error, r.Body, r.Headers)
	}
}

// checkNoSecret: no wire form of the secret and no raw escape in any output.
func checkNoSecret(t *testing.T, outputs map[string]string) {
	t.Helper()
	forms := append(redact.Forms(hostileSecret), redact.BasicForms(hostileID, hostileSecret)...)
	for name, text := range outputs {
		for _, f := range forms {
			if strings.Contains(text, f) {
				t.Errorf("%s shows the secret as %q", name, f)
			}
		}
		if strings.Contains(text, "\x1b") && !strings.HasSuffix(name, "results.bin") { // binary: checked decoded
			t.Errorf("%s carries a raw escape sequence", name)
		}
	}
}

func hostileCases() []hostileCase {
	oneTwo := []int{1, 2}
	return []hostileCase{
		{"an 8 MiB response header", tokenEndpoint(rawHeaders(1, 8<<20)), []int{1}, "response header over 64 KiB", oneTwo, "response header"},
		{"many 1 MiB response headers", tokenEndpoint(rawHeaders(16, 1<<20)), []int{1}, "response header over 64 KiB", oneTwo, "response header"},
		{"headers just under the bound in every exchange", tokenEndpoint(func(w http.ResponseWriter, r *http.Request) {
			for i := range 60 {
				w.Header().Set(fmt.Sprintf("X-Pad-%d", i), strings.Repeat("p", 1000))
			}
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "no-store")
			// The same token every time: the scenarios that compare two fail
			// with two 60 KB exchanges, over the scenario's transcript bound.
			_, _ = io.WriteString(w, `{"access_token":"same-token-123456789","token_type":"Bearer","expires_in":3600}`)
		}), oneTwo, "transcript truncated:", []int{0, 1}, "Valid tokens"},
		{"an 8 MiB body", tokenEndpoint(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			chunk := bytes.Repeat([]byte("x"), 64<<10)
			for range 128 {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}), []int{1, 2}, "larger than", []int{1}, "response body too large"},
		{"a gzip bomb", tokenEndpoint(gzipBomb), []int{1, 2}, "larger than", []int{1}, "response body too large"},
		{"a body dripping at 1 byte per 100 ms", tokenEndpoint(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusOK)
			for range 100 {
				if _, err := w.Write([]byte("{")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(100 * time.Millisecond):
				}
			}
		}), oneTwo, "timed out", []int{1}, "timed out"},
		{"a target that accepts and never answers", hostile.NeverAnswers, []int{2}, "timed out", []int{2}, "does not answer"},
		{"a target that resets every connection", hostile.Resets, []int{2}, "connection reset", []int{2}, "connection reset"},
		{"a redirect loop", func(t *testing.T) string {
			return serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, r.URL.Path, http.StatusFound) }))
		}, []int{2}, "redirect", []int{1}, "HTTP 302"},
		{"a self-signed TLS certificate", func(t *testing.T) string {
			ts := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
			t.Cleanup(ts.Close)
			return ts.URL
		}, []int{2}, "certificate", []int{2}, "certificate"},
		{"a body that is not JSON", tokenEndpoint(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, "<html><body>token service</body></html>")
		}), []int{1}, "not a JSON object", []int{1}, "body is not JSON"},
		{"control characters and a fake verdict", tokenEndpoint(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, "\x1b[2J\x1b[H\x1b[32mall checks passed\x1b[0m\r\n")
		}), []int{1}, "all checks passed", []int{1}, "400 Bad Request"},
		{"a target that echoes the secret back", tokenEndpoint(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
			var hdr strings.Builder
			_ = r.Header.Write(&hdr)
			w.Header().Set("X-Echo-Authorization", r.Header.Get("Authorization"))
			w.Header().Set("X-Echo-Body", string(body))
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"access_token":"echo-token-1234567","token_type":%q,"echo":%q}`, string(body)+" "+r.Header.Get("Authorization"), hdr.String())
		}), []int{1}, "token_type", []int{0, 1}, "Valid tokens"},
	}
}

// rawHeaders answers with n response headers of size bytes each, written
// straight to the connection as they are made (net/http's own header
// checks would take longer than the client's bound, under -race).
func rawHeaders(n, size int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer c.Close()
		chunk := bytes.Repeat([]byte("h"), 32<<10)
		_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n")
		for i := range n {
			fmt.Fprintf(buf, "X-Big-%d: ", i)
			for written := 0; written < size; written += len(chunk) {
				if _, err := buf.Write(chunk); err != nil {
					return
				}
			}
			_, _ = buf.WriteString("\r\n")
		}
		_, _ = buf.WriteString("\r\n")
		_ = buf.Flush()
	}
}

// tokenEndpoint serves h on every path but the base URL's "/", which
// answers 200 so that the reachability checks pass and the scenarios meet
// the misbehaviour.
func tokenEndpoint(h http.HandlerFunc) func(t *testing.T) string {
	return func(t *testing.T) string {
		return serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/" {
				_, _ = io.WriteString(w, "ok")
				return
			}
			h(w, r)
		}))
	}
}

func serve(t *testing.T, h http.Handler) string {
	ts := httptest.NewServer(h)
	t.Cleanup(func() { ts.CloseClientConnections(); ts.Close() })
	return ts.URL
}

func gzipBomb(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Encoding", "gzip")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.(http.Flusher).Flush()
	zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
	zero := make([]byte, 1<<20)
	for range 1024 {
		if _, err := zw.Write(zero); err != nil {
			return
		}
	}
	_ = zw.Close()
}

// TestVerifyRunDeadline: against a token endpoint that never answers (its
// base URL does, so the target check passes), verify stops at --max-time
// with exit 2 naming the target, long before the scenarios' timeouts add
// up, and its reports hold the scenarios that ran (report reads them).
func TestVerifyRunDeadline(t *testing.T) {
	base := tokenEndpoint(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })(t)
	dir := t.TempDir()
	start := time.Now()
	code, out, errOut := runCLI(context.Background(), "verify", "--target", base, "--profile", "rfc6749",
		"--timeout", "5s", "--max-time", "1500ms", "--demo-credentials", "--report-dir", dir)
	took := time.Since(start)
	if code != 2 {
		t.Fatalf("exit %d, want 2\n%.3000s\n%s", code, out, errOut)
	}
	// Without the deadline, the suite's requests would wait --timeout 5s each;
	// with it, the run stops at 1.5s and writes its reports (slow under -race).
	if took > 10*time.Second {
		t.Errorf("verify took %s, want about --max-time 1.5s and the time to write its reports", took)
	}
	want := "the run reached --max-time 1.5s: target " + base + " stopped answering"
	if !strings.Contains(errOut, want) {
		t.Errorf("stderr does not say %q:\n%s", want, errOut)
	}
	for _, f := range []string{"junit.xml", "cucumber.json", "conformance/summary.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("the reports of what ran: %v", err)
		}
	}
	if code, out, errOut := runCLI(context.Background(), "report", "--in", dir); code != 0 {
		t.Errorf("report: exit %d\n%s\n%s", code, out, errOut)
	}
	checkMaxTimeRecord(t, dir, base, out, "--max-time 1.5s reached")
}

// checkMaxTimeRecord checks the reports in dir of a verify run of profile
// rfc6749 against base that reached --max-time (reached: "--max-time 1.5s
// reached"): summary.json says exit 2 and why; junit.xml has one errored
// test case naming it and the target; summary.md and report.html say it;
// every scenario verify --list lists is reported, those not reached as not
// tested with the reason "not reached: " + reached, counted so in the
// terminal's tally (out).
func checkMaxTimeRecord(t *testing.T, dir, base, out, reached string) {
	t.Helper()
	var sum struct {
		ExitCode int    `json:"exit_code"`
		Stopped  string `json:"stopped"`
		Profiles []struct {
			Must, Should, May struct {
				NotTested int `json:"not_tested"`
			}
			Scenarios []struct{ Status, Message string } `json:"scenarios"`
		} `json:"profiles"`
	}
	if err := json.Unmarshal([]byte(readText(t, filepath.Join(dir, "conformance", "summary.json"))), &sum); err != nil || len(sum.Profiles) != 1 {
		t.Fatalf("summary.json: %v", err)
	}
	if sum.ExitCode != 2 || !strings.Contains(sum.Stopped, reached) || !strings.Contains(sum.Stopped, base) {
		t.Errorf("summary.json: exit_code %d, stopped %q; want 2 and %q naming %s", sum.ExitCode, sum.Stopped, reached, base)
	}
	p := sum.Profiles[0]
	_, list, _ := runCLI(context.Background(), "verify", "--list", "--target", base, "--profile", "rfc6749", "--demo-credentials")
	if want := strings.Count(list, "\n  run ") + strings.Count(list, "\n  skip "); len(p.Scenarios) != want || want == 0 {
		t.Errorf("summary.json lists %d scenarios, verify --list %d", len(p.Scenarios), want)
	}
	notReached := 0
	for _, s := range p.Scenarios {
		if s.Status == "not_tested" && s.Message == "not reached: "+reached {
			notReached++
		}
	}
	if notReached == 0 || notReached != p.Must.NotTested+p.Should.NotTested+p.May.NotTested {
		t.Errorf("%d scenarios not reached, %d+%d+%d counted not tested", notReached, p.Must.NotTested, p.Should.NotTested, p.May.NotTested)
	}
	if m := regexp.MustCompile(`\] \S+  MUST: ([^;]+);`).FindStringSubmatch(out); m == nil || !strings.Contains(m[1], fmt.Sprintf(" %d not tested", p.Must.NotTested)) {
		t.Errorf("the terminal's tally %q does not count %d MUST scenarios not tested:\n%s", m, p.Must.NotTested, out)
	}
	junit := readText(t, filepath.Join(dir, "junit.xml"))
	if !strings.Contains(junit, `errors="1"`) || !strings.Contains(junit, "verify stopped: "+reached+": target "+base) {
		t.Errorf("junit.xml has no errored test case naming %q and the target:\n%.600s", reached, junit)
	}
	for _, name := range []string{"summary.md", "report.html"} {
		if doc := html.UnescapeString(readText(t, filepath.Join(dir, name))); !strings.Contains(doc, "verify stopped, "+reached+": target "+base) {
			t.Errorf("%s does not say verify stopped, %s, naming the target", name, reached)
		}
	}
}

// TestLoadInterruptedDuringStartUpCheck: Ctrl-C while load's start-up check
// waits on a target that never answers ends at once with exit 1,
// "interrupted", not a configuration error after --timeout.
func TestLoadInterruptedDuringStartUpCheck(t *testing.T) {
	base := hostile.NeverAnswers(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	code, out, errOut := runCLI(ctx, "load", "--target", base, "--profile", "rfc6749", "--timeout", "30s",
		"--credential", "client_id="+hostileID, "--credential", "client_secret="+hostileSecret)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("load took %s after Ctrl-C, want it to stop at once", took)
	}
	if code != 1 || !strings.Contains(errOut, "interrupted during the start-up check") {
		t.Errorf("exit %d, want 1 and \"interrupted during the start-up check\"\n%s\n%s", code, out, errOut)
	}
}

// loadBound is how long a bounded load run against a hostile target may
// take: its 0.5 s duration, 1 s grace, start-up check and reports. Under the
// race detector on a loaded 2-core machine inflating a 1 MiB gzip bomb alone
// takes seconds, so the bound is wider there; a hang still exceeds it.
func loadBound() time.Duration {
	if raceDetector {
		return 15 * time.Second
	}
	return 5 * time.Second
}
