package outputs_test

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oauthconf/oauthconf/internal/outputs"
	"github.com/oauthconf/oauthconf/load"
	"github.com/oauthconf/oauthconf/profile"
	"github.com/oauthconf/oauthconf/reports"
	"github.com/oauthconf/oauthconf/steps"
)

// The round trips write each file with its producer (steps, load) and read it
// with its consumer (reports), then compare by meaning: the values the
// producer put in are the values the reader got out, and the file's keys are
// the ones docs/outputs.md documents, so that a renamed field fails here
// instead of making the report read zeros.

// keysOf returns the sorted keys of the JSON object in path (at the given
// nested keys).
func keysOf(t *testing.T, data []byte, at ...string) []string {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	for _, k := range at {
		m, _ := v.(map[string]any)
		v = m[k]
		if arr, ok := v.([]any); ok && len(arr) > 0 {
			v = arr[0]
		}
	}
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%v is not a JSON object in %s", at, data)
	}
	return slices.Sorted(maps.Keys(m))
}

func checkKeys(t *testing.T, data []byte, want []string, at ...string) {
	t.Helper()
	slices.Sort(want)
	if got := keysOf(t, data, at...); !slices.Equal(got, want) {
		t.Errorf("keys of %v = %v, want %v (docs/outputs.md)", at, got, want)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSummaryRoundTrip(t *testing.T) {
	dir := t.TempDir()
	res := steps.Result{Interrupted: true, Profiles: []*steps.ProfileResult{{
		Name: "shopware", Target: "http://127.0.0.1:8080",
		Must: steps.Counts{Passed: 12, Failed: 1, Skipped: 2}, Should: steps.Counts{Passed: 3, Failed: 4, Skipped: 5},
		Duration: 2500 * time.Millisecond,
	}}}
	started := time.Date(2026, 11, 22, 23, 0, 0, 0, time.UTC)
	info := outputs.RunInfo{Label: "nightly #412", Version: "v1.4.0", StartedAt: &started, DurationSeconds: 4.5}
	if err := steps.WriteRunReports(dir, res, 1, info); err != nil {
		t.Fatal(err)
	}
	data := readFile(t, filepath.Join(dir, outputs.SummaryPath))
	checkKeys(t, data, []string{"profiles", "exit_code", "interrupted", "label", "version", "started_at", "duration_seconds"})
	checkKeys(t, data, []string{"name", "target", "must", "should", "duration_seconds"}, "profiles")
	checkKeys(t, data, []string{"passed", "failed", "skipped"}, "profiles", "must")

	run, problems := reports.Build(context.Background(), dir)
	if len(problems) > 0 {
		t.Fatalf("reports.Build: %v", problems)
	}
	if run.Verify == nil || run.Verify.ExitCode == nil || *run.Verify.ExitCode != 1 || !run.Verify.Interrupted {
		t.Errorf("Verify = %+v, want exit code 1, interrupted", run.Verify)
	}
	if len(run.Profiles) != 1 {
		t.Fatalf("profiles = %+v, want shopware only", run.Profiles)
	}
	p := run.Profiles[0]
	want := reports.Profile{Name: "shopware", Target: "http://127.0.0.1:8080", Duration: 2500 * time.Millisecond,
		Declared: &reports.DeclaredCounts{Must: outputs.Counts{Passed: 12, Failed: 1, Skipped: 2}, Should: outputs.Counts{Passed: 3, Failed: 4, Skipped: 5}}}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("profile read back = %+v, want %+v", p, want)
	}
	if !reflect.DeepEqual(run.Info, info) {
		t.Errorf("run info read back = %+v, want %+v", run.Info, info)
	}
	h := run.Header()
	if h.Label != "nightly #412" || h.Version != "v1.4.0" || h.Date != "2026-11-22 23:00:00 UTC" || h.Duration != "4.5s" {
		t.Errorf("header = %+v, want the label, version, start and duration written", h)
	}
}

func TestAbortSummaryRoundTrip(t *testing.T) {
	dir := t.TempDir()
	a := steps.Abort{ExitCode: 2, Kind: "target", Message: "target: connection refused", Info: outputs.RunInfo{Label: "pr-17", Version: "dev"}}
	if err := steps.WriteAbortReports(dir, a); err != nil {
		t.Fatal(err)
	}
	data := readFile(t, filepath.Join(dir, outputs.SummaryPath))
	checkKeys(t, data, []string{"profiles", "exit_code", "error", "error_kind", "label", "version"})
	run, _ := reports.Build(context.Background(), dir)
	want := &reports.VerifyEnd{ExitCode: &a.ExitCode, Error: a.Message, ErrorKind: "target"}
	if !reflect.DeepEqual(run.Verify, want) {
		t.Errorf("Verify = %+v, want %+v", run.Verify, want)
	}
	if run.Info.Label != "pr-17" {
		t.Errorf("label read back = %q, want pr-17", run.Info.Label)
	}
}

// fakeTokenEndpoint answers every request with a valid RFC 6749 §5.1 token
// response.
func fakeTokenEndpoint(t *testing.T) string {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write([]byte(`{"access_token":"at","token_type":"Bearer","expires_in":3600}`))
	}))
	t.Cleanup(ts.Close)
	return ts.URL
}

// rfc6749Client is the rfc6749 profile with a client's credentials.
func rfc6749Client(t *testing.T) (*profile.Profile, profile.Credentials) {
	t.Helper()
	p, err := profile.Load("rfc6749")
	if err != nil {
		t.Fatal(err)
	}
	creds, err := profile.Resolve(p, map[string]string{"client_id": "c", "client_secret": "s", "redirect_uri": "http://127.0.0.1/cb"}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	return p, creds
}

// fakeLoadOptions is a client_credentials run of profile rfc6749 against
// fakeTokenEndpoint, writing to dir.
func fakeLoadOptions(t *testing.T, dir string) load.Options {
	t.Helper()
	p, creds := rfc6749Client(t)
	return load.Options{BaseURL: fakeTokenEndpoint(t), Profile: p, Credentials: creds, Scenario: load.ClientCredentials, Workers: 2, OutDir: dir}
}

// TestShardReportRoundTrip: a shard's report.json (load --shard I/N) is
// written under its own directory and records the shard's part.
func TestShardReportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	o := fakeLoadOptions(t, dir)
	o.Rate, o.Duration, o.Shard = 41, 300*time.Millisecond, &load.Shard{Index: 1, Count: 2}
	rep, err := load.Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	data := readFile(t, filepath.Join(dir, "load", load.ClientCredentials, "shard-1-of-2", outputs.LoadReportName))
	checkKeys(t, data, []string{"index", "count", "rate", "max_requests"}, "shard")
	var back outputs.LoadReport
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if want := (outputs.LoadShard{Index: 1, Count: 2, Rate: 20, MaxRequests: 16}); back.Shard == nil || *back.Shard != want || !reflect.DeepEqual(back, rep.LoadReport) {
		t.Errorf("shard = %+v, want %+v (and the rest as written)", back.Shard, want)
	}
}

func TestLoadReportRoundTrip(t *testing.T) {
	slo, err := load.ParseSLO("p99<1ns")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	o := fakeLoadOptions(t, dir)
	o.Rate, o.Duration, o.SLO = 40, 500*time.Millisecond, slo
	started := time.Date(2026, 11, 22, 23, 0, 0, 0, time.UTC)
	o.Label, o.Version, o.Now = "nightly #412", "v1.4.0", func() time.Time { return started }
	rep, err := load.Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Requests == 0 || len(rep.Timeline) == 0 || rep.SLO == nil || len(rep.SLO.Violations) == 0 {
		t.Fatalf("the run should have requests, a timeline and a failed SLO: %+v", rep.LoadReport)
	}
	path := filepath.Join(dir, "load", load.ClientCredentials, outputs.LoadReportName)
	data := readFile(t, path)
	checkKeys(t, data, []string{"scenario", "profile", "target", "rate", "duration_seconds", "requests", "success_ratio",
		"throughput", "latencies", "status_codes", "errors", "steps", "slo", "timeline",
		"version", "label", "started_at"})
	checkKeys(t, data, []string{"mean", "p50", "p90", "p95", "p99", "max"}, "latencies")
	checkKeys(t, data, []string{"expr", "pass", "violations", "conditions"}, "slo")
	checkKeys(t, data, []string{"cond", "got", "pass"}, "slo", "conditions")
	checkKeys(t, data, []string{"second", "requests", "errors", "p50", "p99"}, "timeline")

	run, problems := reports.Build(context.Background(), dir)
	if len(problems) > 0 {
		t.Fatalf("reports.Build: %v", problems)
	}
	if len(run.Load) != 1 || run.Load[0].Report == nil {
		t.Fatalf("load scenarios read = %+v, want one with report.json", run.Load)
	}
	if got := *run.Load[0].Report; !reflect.DeepEqual(got, rep.LoadReport) {
		t.Errorf("report.json read back differs:\n got %+v\nwant %+v", got, rep.LoadReport)
	}
	if h := run.Header(); h.Label != "nightly #412" || h.Version != "v1.4.0" || h.Date != "2026-11-22 23:00:00 UTC" {
		t.Errorf("a load run's report header = %+v, want report.json's label, version and start", h)
	}
}

func TestCapacityRoundTrip(t *testing.T) {
	slo, err := load.ParseSLO("p99<50ms")
	if err != nil {
		t.Fatal(err)
	}
	probe := func(rate int, pass bool, p99 time.Duration, violations ...string) load.CapacityProbe {
		r := &load.Report{LoadReport: outputs.LoadReport{Requests: uint64(rate), SuccessRatio: 0.5,
			Latencies: &outputs.LatencySummary{P99: int64(p99)}, SLO: &outputs.SLOVerdict{Pass: pass, Violations: append([]string{}, violations...)}}}
		verdict := load.ProbeMissed
		if pass {
			verdict = load.ProbeMet
		}
		return load.CapacityProbe{Rate: rate, Achieved: float64(rate), Pass: pass, Verdict: verdict, Report: r}
	}
	c := &load.Capacity{Rate: 100, Outcome: outputs.CapacityFound, Probes: []load.CapacityProbe{probe(100, true, time.Millisecond), probe(200, false, time.Second, "p99 < 50ms: got 1s")}}
	dir := t.TempDir()
	if err := load.WriteCapacity(dir, slo, c); err != nil {
		t.Fatal(err)
	}
	data := readFile(t, filepath.Join(dir, outputs.CapacityPath))
	checkKeys(t, data, []string{"slo", "rate", "outcome", "max_rate", "generator_limit", "probes"})
	checkKeys(t, data, []string{"rate", "achieved_rate", "pass", "verdict", "requests", "success_ratio", "p99", "violations"}, "probes")
	got, err := outputs.ParseCapacity(data)
	if err != nil {
		t.Fatal(err)
	}
	want := &outputs.Capacity{SLO: "p99<50ms", Rate: 100, Outcome: outputs.CapacityFound, Probes: []outputs.CapacityProbe{
		{Rate: 100, Achieved: 100, Pass: true, Verdict: "met", Requests: 100, Success: 0.5, P99: int64(time.Millisecond), Violations: []string{}},
		{Rate: 200, Achieved: 200, Pass: false, Verdict: "missed", Requests: 200, Success: 0.5, P99: int64(time.Second), Violations: []string{"p99 < 50ms: got 1s"}},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("capacity.json read back = %+v, want %+v", got, want)
	}
}

// TestExpectedFailuresSummaryRoundTrip: the expected-failures entries and
// the expectation of a failed scenario and its root cause survive
// summary.json, under the documented keys.
func TestExpectedFailuresSummaryRoundTrip(t *testing.T) {
	dir := t.TempDir()
	exp := &outputs.Expectation{Reason: "SHOP-42", Expires: "2027-03-31", Line: 1}
	entry := outputs.ExpectedFailure{Rule: "rfc6749-3.2.1-wrong-secret", Profile: "shopware", Reason: "SHOP-42", Expires: "2027-03-31", Line: 1,
		Outcome: outputs.ExpectedFailed, Message: "expected failure: SHOP-42", Scenarios: []string{"shopware: F / S"}}
	res := steps.Result{ExpectedFile: "xf.yaml", Expected: []outputs.ExpectedFailure{entry}, Profiles: []*steps.ProfileResult{{
		Name: "shopware", Target: "http://127.0.0.1:8080", Must: steps.Counts{Failed: 1},
		Scenarios:  []*steps.ScenarioResult{{Feature: "F", URI: "f.feature", Name: "S", Line: 7, Level: "must", Status: steps.StatusFailed, Message: "got 200", Expected: exp}},
		RootCauses: []outputs.RootCause{{Rule: entry.Rule, Level: "must", Cause: "got 200", Scenarios: []string{"F / S"}, Expected: exp}},
	}}}
	if err := steps.WriteReports(dir, res, 0); err != nil {
		t.Fatal(err)
	}
	data := readFile(t, filepath.Join(dir, outputs.SummaryPath))
	checkKeys(t, data, []string{"profiles", "exit_code", "expected_failures_file", "expected_failures"})
	checkKeys(t, data, []string{"rule", "profile", "reason", "expires", "line", "outcome", "message", "scenarios"}, "expected_failures")
	checkKeys(t, data, []string{"feature", "uri", "name", "level", "status", "message", "line", "expected"}, "profiles", "scenarios")
	got, err := outputs.ParseSummary(data)
	if err != nil {
		t.Fatal(err)
	}
	if got.ExpectedFailuresFile != "xf.yaml" || !reflect.DeepEqual(got.ExpectedFailures, res.Expected) {
		t.Errorf("expected failures read back = %q %+v, want %+v", got.ExpectedFailuresFile, got.ExpectedFailures, res.Expected)
	}
	p := got.Profiles[0]
	if !reflect.DeepEqual(p.Scenarios[0].Expected, exp) || p.Scenarios[0].Line != 7 || !reflect.DeepEqual(p.RootCauses[0].Expected, exp) {
		t.Errorf("scenario %+v, root cause %+v: want the expectation and the line", p.Scenarios[0], p.RootCauses[0])
	}
	run, problems := reports.Build(context.Background(), dir)
	if len(problems) > 0 {
		t.Fatalf("reports.Build: %v", problems)
	}
	var md strings.Builder
	if err := run.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| ☑️ failed as expected | `@rfc6749-3.2.1-wrong-secret` | shopware | shopware: F / S | SHOP-42 | 2027-03-31 | 1 |",
		"**Verdict: PASS**", "_expected failure: SHOP-42 (until 2027-03-31)_"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("summary.md lacks %q:\n%s", want, md.String())
		}
	}
}

// TestServerCostRoundTrip writes report.json's server object (load
// --server-pid, here on an idle child process) and reads it back, under the
// documented keys.
func TestServerCostRoundTrip(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("--server-pid reads Linux's /proc")
	}
	p, creds := rfc6749Client(t)
	child := exec.Command("sleep", "10")
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = child.Process.Kill(); _ = child.Wait() }()
	dir := t.TempDir()
	o := load.Options{BaseURL: fakeTokenEndpoint(t), Profile: p, Credentials: creds, Scenario: load.ClientCredentials,
		Rate: 20, Duration: 2200 * time.Millisecond, Workers: 2, OutDir: dir, ServerPID: child.Process.Pid, ServerSampleEvery: 100 * time.Millisecond}
	rep, err := load.Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Server == nil || rep.Server.Growth == nil {
		t.Fatalf("the run should have a server object with a growth fit: %+v", rep.Server)
	}
	data := readFile(t, filepath.Join(dir, "load", load.ClientCredentials, outputs.LoadReportName))
	checkKeys(t, data, []string{"pid", "command", "samples", "interval_seconds", "span_seconds", "cpu_seconds", "cpu_tick_seconds", "cpu_cores",
		"tokens", "cpu_us_per_token", "rss_start_bytes", "rss_end_bytes", "rss_peak_bytes", "rss_growth_per_1000_tokens_bytes", "growth", "warnings", "series"}, "server")
	checkKeys(t, data, []string{"window_seconds", "samples", "slope_bytes_per_second", "per_1000_tokens_bytes", "r2", "steady"}, "server", "growth")
	checkKeys(t, data, []string{"t", "cpu_seconds", "rss_bytes", "tokens"}, "server", "series")
	run, problems := reports.Build(context.Background(), dir)
	if len(problems) > 0 {
		t.Fatalf("reports.Build: %v", problems)
	}
	if got := run.Load[0].Report.Server; !reflect.DeepEqual(got, rep.Server) {
		t.Errorf("report.json's server read back differs:\n got %+v\nwant %+v", got, rep.Server)
	}
}
