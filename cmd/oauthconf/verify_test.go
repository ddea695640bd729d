package main

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oauthconf/oauthconf/internal/demo"
	"github.com/oauthconf/oauthconf/internal/hostile"
	"github.com/oauthconf/oauthconf/internal/redact"
	"github.com/oauthconf/oauthconf/reference"
	"github.com/stretchr/testify/require"
)

// referenceTarget serves a reference server with the test clock and defects on loopback.
func referenceTarget(t *testing.T, wrap func(http.Handler) http.Handler, ds ...reference.Defect) string {
	t.Helper()
	opts := []reference.Option{reference.WithTestClock()}
	if len(ds) > 0 {
		opts = append(opts, reference.WithDefects(ds...))
	}
	srv, err := reference.New(reference.DemoConfig(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = srv
	if wrap != nil {
		h = wrap(srv)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(func() { ts.Close(); srv.Close() })
	return ts.URL
}

// shopwareCreds returns --credential flags with the demo Shopware credentials.
func shopwareCreds() []string {
	var args []string
	for k, v := range demo.For("shopware") {
		args = append(args, "--credential", k+"="+v)
	}
	return args
}

// demoSecrets are the demo secret values that must never be printed or reported.
func demoSecrets() []string {
	var out []string
	for _, name := range []string{"ucommerce", "shopware", "elasticpath", "rfc6749"} {
		for k, v := range demo.For(name) {
			// (Shopware's demo password is "shopware", the profile's own name.)
			if (strings.Contains(k, "secret") || strings.Contains(k, "password") || k == "signing_key") && v != name {
				out = append(out, v)
			}
		}
	}
	return out
}

func TestVerifyEmbeddedReferencePasses(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runCLI(t.Context(), "verify", "--report-dir", dir, "--label", "nightly #412")
	if code != 0 {
		t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, want := range []string{"[ucommerce]", "[shopware]", "[elasticpath]", "[rfc6749]", "MUST:"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	files := []string{"junit.xml", "cucumber.json", "conformance/summary.json"}
	for _, p := range []string{"ucommerce", "shopware", "elasticpath", "rfc6749"} {
		files = append(files, "conformance/"+p+"/cucumber.json", "conformance/"+p+"/junit.xml")
	}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Errorf("report file %s: %v", f, err)
			continue
		}
		for _, s := range demoSecrets() {
			if strings.Contains(string(b), s) {
				t.Errorf("report file %s contains a secret credential value", f)
			}
		}
	}
	var sum struct {
		Profiles []struct {
			Name string
			Must struct{ Passed, Failed int }
		}
		ExitCode  int        `json:"exit_code"`
		Label     string     `json:"label"`
		Version   string     `json:"version"`
		StartedAt *time.Time `json:"started_at"`
		Duration  float64    `json:"duration_seconds"`
	}
	b, _ := os.ReadFile(filepath.Join(dir, "conformance/summary.json"))
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatalf("summary.json: %v", err)
	}
	if sum.ExitCode != 0 || len(sum.Profiles) != 4 {
		t.Fatalf("summary = %+v, want 4 profiles and exit_code 0", sum)
	}
	if sum.Label != "nightly #412" || sum.Version == "" || sum.StartedAt == nil || time.Since(*sum.StartedAt) > time.Hour || sum.Duration <= 0 {
		t.Errorf("summary.json run info = label %q, version %q, started %v, duration %v; want --label, the version, the start and the duration",
			sum.Label, sum.Version, sum.StartedAt, sum.Duration)
	}
	page, _ := os.ReadFile(filepath.Join(dir, "report.html"))
	if !strings.Contains(string(page), `<dd id="run-label">nightly #412</dd>`) {
		t.Errorf("report.html does not show the --label in its header")
	}
	for _, p := range sum.Profiles {
		if p.Must.Passed == 0 || p.Must.Failed != 0 {
			t.Errorf("profile %s: must %+v, want passes and no failures", p.Name, p.Must)
		}
	}
}

func TestVerifyExitCodes(t *testing.T) {
	badYAML := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(badYAML, []byte("name: bad\ntoken: {path: /t}\ngrants: {client_credentials: {}}\nunknown_key: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	status5xx := filepath.Join(t.TempDir(), "5xx.yaml")
	if err := os.WriteFile(status5xx, []byte("name: bad\ntoken: {path: /t}\ncredentials: {client_id: {}, client_secret: {secret: true}}\ngrants: {client_credentials: {}}\nerrors:\n  status:\n    invalid_grant: [501]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	refused := hostile.Refused(t)
	clean := referenceTarget(t, nil)
	defective := referenceTarget(t, nil, reference.PasswordAny)
	t.Setenv("OAUTHCONF_CLIENT_ID", "")
	t.Setenv("OAUTHCONF_CLIENT_SECRET", "")

	tests := []struct {
		description string
		args        []string
		wantCode    int
		wantErr     string
	}{
		{"an unknown profile is a usage error naming it", []string{"verify", "--profile", "nope"}, 2, `unknown profile "nope"`},
		{"a profile with an unknown key names the field", []string{"verify", "--profile", badYAML}, 2, "unknown_key"},
		{"a profile documenting a 5xx refusal names the field and its line", []string{"verify", "--profile", status5xx}, 2, "line 7: errors.status.invalid_grant: 501 is a server error"},
		{"--target without --profile is a usage error", []string{"verify", "--target", clean}, 2, "--target needs --profile"},
		{"a missing credential is named with its flag", []string{"verify", "--target", clean, "--profile", "shopware"}, 2, "client_id (--credential client_id=…"},
		{"an unreachable target is a usage error naming it", append([]string{"verify", "--target", refused, "--profile", "shopware"}, shopwareCreds()...), 2, "connection refused"},
		{"a bad --concurrency is a usage error", []string{"verify", "--concurrency", "0"}, 2, "--concurrency"},
		{"an excessive --concurrency is a usage error", []string{"verify", "--concurrency", "100000"}, 2, "between 1 and 64"},
		{"a clean target with the test clock passes", append([]string{"verify", "--target", clean, "--profile", "shopware", "--test-clock"}, shopwareCreds()...), 0, ""},
		{"a defect exits 1 naming the scenario", append([]string{"verify", "--target", defective, "--profile", "shopware", "--test-clock"}, shopwareCreds()...), 1, "A wrong password is refused"},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			code, out, errOut := runCLI(t.Context(), tc.args...)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.wantCode, out, errOut)
			}
			if !strings.Contains(errOut, tc.wantErr) {
				t.Errorf("stderr lacks %q:\n%s", tc.wantErr, errOut)
			}
			for _, s := range demoSecrets() {
				if strings.Contains(out+errOut, s) {
					t.Errorf("output contains a secret credential value")
				}
			}
		})
	}
}

func TestVerifyInterruptedKeepsReports(t *testing.T) {
	slow := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/api/oauth/token" {
				select {
				case <-time.After(100 * time.Millisecond):
				case <-r.Context().Done():
					return
				}
			}
			h.ServeHTTP(w, r)
		})
	}
	target := referenceTarget(t, slow)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go func() { time.Sleep(300 * time.Millisecond); cancel() }()
	code, out, errOut := runCLI(ctx, append([]string{"verify", "--target", target, "--profile", "shopware", "--test-clock", "--report-dir", dir}, shopwareCreds()...)...)
	if code != 1 {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "interrupted") {
		t.Errorf("stderr lacks \"interrupted\":\n%s", errOut)
	}
	b, err := os.ReadFile(filepath.Join(dir, "conformance", "summary.json"))
	if err != nil {
		t.Fatalf("summary.json not written on interrupt: %v", err)
	}
	if !strings.Contains(string(b), `"interrupted": true`) {
		t.Errorf("summary.json does not say interrupted:\n%s", b)
	}
	// Every scenario is reported: those the interrupt cut short or never
	// started as not tested, "not reached: interrupted", none as failed.
	var sum struct {
		Profiles []struct {
			Scenarios []struct{ Status, Message string } `json:"scenarios"`
		} `json:"profiles"`
	}
	if err := json.Unmarshal(b, &sum); err != nil || len(sum.Profiles) != 1 {
		t.Fatalf("summary.json: %v", err)
	}
	_, list, _ := runCLI(t.Context(), append([]string{"verify", "--list", "--target", target, "--profile", "shopware", "--test-clock"}, shopwareCreds()...)...)
	if want := strings.Count(list, "\n  run ") + strings.Count(list, "\n  skip "); len(sum.Profiles[0].Scenarios) != want {
		t.Errorf("summary.json lists %d scenarios, verify --list %d", len(sum.Profiles[0].Scenarios), want)
	}
	for _, s := range sum.Profiles[0].Scenarios {
		if strings.Contains(s.Message, "interrupted") && (s.Status != "not_tested" || s.Message != "not reached: interrupted") {
			t.Errorf("a scenario the interrupt stopped: %s %q, want not_tested \"not reached: interrupted\"", s.Status, s.Message)
		}
	}
}

// abortRecord is what a run that stopped with exit 2 leaves in --report-dir.
type abortRecord struct {
	summary struct {
		Profiles  []json.RawMessage `json:"profiles"`
		ExitCode  int               `json:"exit_code"`
		Error     string            `json:"error"`
		ErrorKind string            `json:"error_kind"`
		Label     string            `json:"label"`
	}
	junit struct {
		Tests  int `xml:"tests,attr"`
		Errors int `xml:"errors,attr"`
		Suites []struct {
			Cases []struct {
				Name  string `xml:"name,attr"`
				Error *struct {
					Message string `xml:"message,attr"`
					Type    string `xml:"type,attr"`
					Body    string `xml:",chardata"`
				} `xml:"error"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	raw string // both files, for leak checks
}

func readAbortRecord(t *testing.T, dir string) abortRecord {
	t.Helper()
	var r abortRecord
	sb, err := os.ReadFile(filepath.Join(dir, "conformance", "summary.json"))
	if err != nil {
		t.Fatalf("no summary.json: %v", err)
	}
	if err := json.Unmarshal(sb, &r.summary); err != nil {
		t.Fatalf("summary.json: %v\n%s", err, sb)
	}
	jb, err := os.ReadFile(filepath.Join(dir, "junit.xml"))
	if err != nil {
		t.Fatalf("no junit.xml: %v", err)
	}
	if err := xml.Unmarshal(jb, &r.junit); err != nil {
		t.Fatalf("junit.xml: %v\n%s", err, jb)
	}
	r.raw = string(sb) + string(jb)
	return r
}

// TestVerifyCommandLineErrorsAreRecorded: errors cobra raises before verify
// runs (a bad flag value, an unknown flag, a stray argument) exit 2 like the
// others and are recorded in --report-dir too, wherever --report-dir stands
// on the command line; the JUnit test case names the problem.
func TestVerifyCommandLineErrorsAreRecorded(t *testing.T) {
	cases := []struct {
		description string
		args        func(dir string) []string
		want        string
	}{
		{"a bad --timeout value after --report-dir", func(d string) []string {
			return []string{"verify", "--report-dir", d, "--timeout", "5"}
		}, `invalid argument "5" for "--timeout" flag`},
		{"a bad --timeout value before --report-dir", func(d string) []string {
			return []string{"verify", "--timeout", "5", "--report-dir", d, "--credential", "client_secret=hunter2-secret"}
		}, `invalid argument "5" for "--timeout" flag`},
		{"an unknown flag, --report-dir=DIR", func(d string) []string {
			return []string{"verify", "--tag", "@must", "--report-dir=" + d}
		}, "unknown flag: --tag"},
		{"a stray argument", func(d string) []string {
			return []string{"verify", "--report-dir", d, "shopware"}
		}, `unknown command "shopware"`},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "reports")
			code, out, errOut := runCLI(t.Context(), append(tc.args(dir), "--label", "pr-17")...)
			if code != 2 || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, want 2 naming %q\n%s%s", code, tc.want, out, errOut)
			}
			r := readAbortRecord(t, dir)
			if r.summary.ExitCode != 2 || !strings.Contains(r.summary.Error, tc.want) || r.summary.ErrorKind != "usage" || r.summary.Label != "pr-17" {
				t.Errorf("summary.json = %+v, want exit_code 2, error_kind usage and the message", r.summary)
			}
			if r.junit.Tests != 1 || r.junit.Errors != 1 || len(r.junit.Suites) != 1 || len(r.junit.Suites[0].Cases) != 1 {
				t.Fatalf("junit.xml: want one errored test case, got %+v", r.junit)
			}
			c := r.junit.Suites[0].Cases[0]
			if c.Error == nil || !strings.Contains(c.Error.Message, tc.want) || !strings.Contains(c.Name, "command line") {
				t.Errorf("junit test case = %+v, want a name naming the command line and the message", c)
			}
			if strings.Contains(r.raw, "hunter2-secret") {
				t.Errorf("a credential reached the record:\n%s", r.raw)
			}
		})
	}
}

// TestVerifyAbortRecordNamesTheProblem: each kind of abort is named in the
// JUnit test case and summary.json (error_kind), with the whole message in
// the error's body; a run whose --tags select nothing writes only the abort
// record (no empty per-profile reports, no "reports written" claim).
func TestVerifyAbortRecordNamesTheProblem(t *testing.T) {
	refused := hostile.Refused(t)
	t.Setenv("OAUTHCONF_CLIENT_ID", "")
	t.Setenv("OAUTHCONF_CLIENT_SECRET", "")
	cases := []struct {
		description string
		args        []string
		kind, name  string
		want        string
	}{
		{"unreachable target", append([]string{"--target", refused, "--profile", "shopware"}, shopwareCreds()...),
			"target", "target", "profile shopware: target check failed"},
		{"unknown profile", []string{"--profile", "nosuchvendor"}, "profile", "profile", "nosuchvendor"},
		{"missing credentials", []string{"--target", refused, "--profile", "shopware"}, "credentials", "credentials", "missing credentials"},
		{"tags matching nothing", []string{"--profile", "shopware", "--tags", "@nosuchtag"}, "tags", "--tags", "no scenario ran"},
		{"malformed tags (godog would panic)", []string{"--profile", "shopware", "--tags", "@must &&"}, "tags", "--tags", "an empty term"},
		{"a target with a query", append([]string{"--target", refused + "/?client_secret=QuerySecret1", "--profile", "shopware"}, shopwareCreds()...),
			"target", "target", "must not carry a query"},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			dir := t.TempDir()
			code, out, errOut := runCLI(t.Context(), append([]string{"verify", "--report-dir", dir}, tc.args...)...)
			if code != 2 {
				t.Fatalf("exit %d, want 2\n%s%s", code, out, errOut)
			}
			r := readAbortRecord(t, dir)
			if r.summary.ErrorKind != tc.kind || !strings.Contains(r.summary.Error, tc.want) {
				t.Errorf("summary.json = %+v, want error_kind %q and an error containing %q", r.summary, tc.kind, tc.want)
			}
			if len(r.junit.Suites) != 1 || len(r.junit.Suites[0].Cases) != 1 {
				t.Fatalf("junit.xml: want one test case, got %+v", r.junit)
			}
			c := r.junit.Suites[0].Cases[0]
			if !strings.Contains(c.Name, tc.name) || c.Error == nil || !strings.Contains(c.Error.Body, tc.want) {
				t.Errorf("junit test case = %+v, want a name naming %q and the message in the body", c, tc.name)
			}
			if strings.Contains(out, "reports written") {
				t.Errorf("an aborted run claims it wrote reports:\n%s", out)
			}
			if _, err := os.Stat(filepath.Join(dir, "conformance", "shopware")); err == nil {
				t.Errorf("an aborted run wrote per-profile reports")
			}
		})
	}
}

// TestVerifyWithoutReportDirWritesNothing: without --report-dir an aborted
// run writes no file (not even in the working directory).
func TestVerifyWithoutReportDirWritesNothing(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, args := range [][]string{{"verify", "--profile", "nosuchvendor"}, {"verify", "--timeout", "5"}} {
		if code, out, errOut := runCLI(t.Context(), args...); code != 2 {
			t.Fatalf("%v: exit %d, want 2\n%s%s", args, code, out, errOut)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("files written without --report-dir: %v", ents)
	}
}

// TestVerifyAbortReplacesAnEarlierVerdict: a run that stops with exit 2 in a
// --report-dir that holds an earlier passing run leaves report.html and
// summary.md saying that verify did not run, not the earlier PASS, and the
// earlier run's per-profile files are left out of them.
func TestVerifyAbortReplacesAnEarlierVerdict(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runCLI(t.Context(), "verify", "--report-dir", dir, "--profile", "rfc6749", "--tags", "@rfc6749-5.1")
	if code != 0 {
		t.Fatalf("the earlier run: exit %d, want 0\n%s%s", code, out, errOut)
	}
	md, err := os.ReadFile(filepath.Join(dir, "summary.md"))
	if err != nil || !strings.Contains(string(md), "Verdict: PASS") {
		t.Fatalf("the earlier run's summary.md does not pass (%v):\n%s", err, md)
	}

	code, out, errOut = runCLI(t.Context(), "verify", "--report-dir", dir, "--profile", "nosuchvendor")
	if code != 2 {
		t.Fatalf("exit %d, want 2\n%s%s", code, out, errOut)
	}
	md, err = os.ReadFile(filepath.Join(dir, "summary.md"))
	if err != nil {
		t.Fatal(err)
	}
	html, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"Verdict: ERROR", "problem: profile", "nosuchvendor", "conformance/rfc6749/ is from an earlier run"} {
		if !strings.Contains(string(md), w) {
			t.Errorf("summary.md lacks %q:\n%s", w, md)
		}
	}
	for _, w := range []string{"VERIFY DID NOT RUN", "nosuchvendor", `id="verify-error"`} {
		if !strings.Contains(string(html), w) {
			t.Errorf("report.html lacks %q", w)
		}
	}
	if strings.Contains(string(md), "Verdict: PASS") || strings.Contains(string(html), `id="matrix"`) {
		t.Errorf("the reports still show the earlier run's results:\n%s", md)
	}
}

// TestRedactMessage: a printed error hides every form of a --credential value
// and URL userinfo, keeps "profile <name>" readable even when a secret equals
// the name, and shows terminal escapes instead of running them.
func TestRedactMessage(t *testing.T) {
	creds := []string{"password=shopware", "client_secret=a&b/c"}
	cases := []struct {
		description string
		in, want    string
	}{
		{"the profile's name stays, the password goes", "profile shopware: got shopware back", "profile shopware: got [REDACTED] back"},
		{"a form-encoded secret", "echo client_id=x&y=a%26b%2Fc", "echo client_id=x&y=[REDACTED]"},
		{"URL userinfo", "GET https://u:p@h/x", "GET https://[REDACTED]@h/x"},
		{"terminal escapes", "\x1b[2Jok", `\x1b[2Jok`},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			if got := redactMessage(tc.in, creds, []string{"shopware", "shop"}); got != tc.want {
				t.Fatalf("redactMessage(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestVerifyAgainstAnEchoingTargetLeaksNothing: a target that echoes every
// request (its body, JSON-escaped, and its Authorization header) and sends
// terminal escapes fails the run; no form of the client secret and no raw
// escape is in the terminal output or any report file.
func TestVerifyAgainstAnEchoingTargetLeaksNothing(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Echo", r.Header.Get("Authorization"))
		_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_request", "echo": string(body) + " " + r.Header.Get("Authorization")})
		_, _ = io.WriteString(w, "\x1b[2J\x1b[32mall checks passed\r\n") // not JSON any more, and shown
	}))
	defer ts.Close()
	const secret = `echo&se"cret/é+1`
	dir := t.TempDir()
	code, out, errOut := runCLI(t.Context(), "verify", "--target", ts.URL, "--profile", "rfc6749", "--tags", "@grant-client_credentials",
		"--credential", "client_id=echo-client", "--credential", "client_secret="+secret, "--credential", "redirect_uri=http://127.0.0.1/cb",
		"--report-dir", dir)
	if code != 1 {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	outputs := map[string]string{"stdout": out, "stderr": errOut}
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			outputs[p] = string(b)
		}
		return nil
	})
	forms := append(redact.Forms(secret), redact.BasicForms("echo-client", secret)...)
	for name, text := range outputs {
		for _, f := range forms {
			if strings.Contains(text, f) {
				t.Errorf("%s shows the secret as %q", name, f)
			}
		}
		if strings.Contains(text, "\x1b") {
			t.Errorf("%s carries a raw escape sequence", name)
		}
	}
}

// TestVerifyReportDirHelp: --report-dir's help names every file a run
// writes there (one stopped by a configuration error writes them all).
func TestVerifyReportDirHelp(t *testing.T) {
	_, out, errOut := runCLI(t.Context(), "verify", "--help")
	var help string
	for line := range strings.Lines(out + errOut) {
		if strings.Contains(line, "--report-dir") {
			help = line
		}
	}
	require.NotEmpty(t, help, "verify --help describes --report-dir")
	dir := t.TempDir()
	code, _, _ := runCLI(t.Context(), "verify", "--report-dir", dir, "--expected-failures", filepath.Join(dir, "missing.yaml"))
	require.Equal(t, 2, code)
	var written []string
	require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			written = append(written, filepath.ToSlash(rel))
		}
		return err
	}))
	require.Len(t, written, 5, "files written: %v", written)
	for _, f := range written {
		require.Contains(t, help, f, "the help of --report-dir names %s", f)
	}
}
