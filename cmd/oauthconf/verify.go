package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/oauthconf/oauthconf/internal/httpx"
	"github.com/oauthconf/oauthconf/internal/outputs"
	"github.com/oauthconf/oauthconf/internal/redact"
	"github.com/oauthconf/oauthconf/profile"
	"github.com/oauthconf/oauthconf/reference"
	"github.com/oauthconf/oauthconf/reports"
	"github.com/oauthconf/oauthconf/steps"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

type verifyOptions struct {
	target          string
	profiles        []string
	tags            string
	reportDir       string
	skipSlow        bool
	testClock       bool
	strict          bool
	concurrency     int
	credentials     []string
	credentialsFile string
	timeout         time.Duration
	maxTime         time.Duration
	verbose         bool
	demoCredentials bool
	expectedFile    string
	format          string
	list            bool
	client          clientFlags
	// now decides the expiry of expected failures and the reports' dates.
	now   func() time.Time
	label string
}

// verifyLong is verify's --help text.
const verifyLong = `Run the conformance suite (features/*.feature, embedded in the binary) against an
OAuth 2.0 server described by a profile.

Without --target, the reference server is started in-process on 127.0.0.1 with a test
clock, and every built-in profile (ucommerce, shopware, elasticpath, rfc6749) runs
against it with the demo credentials: this is "make run".

With --target, the chosen profile(s) run against that URL. Credentials come from
--credential NAME=VALUE, --credentials FILE (YAML map) or OAUTHCONF_<NAME> variables;
their values never appear in output or reports. Scenarios that wait for a lifetime
(@slow) wait in real time (the profile's code_ttl or expires_in plus 1 s: 10 min for
shopware, 1 h for rfc6749), unless --skip-slow skips them or --test-clock advances
the clock of an "oauthconf serve --test-clock" target. Ctrl-C stops the run with
exit 1; the reports keep what ran (verdict INCOMPLETE when nothing failed), the
scenarios not reached listed as not tested ("not reached: interrupted").

Every run has a deadline, --max-time (default 30 min, plus the longest code or
token lifetime a @slow scenario waits for in real time, when it does: 30 min
+ 1 h 1 s for rfc6749 without --skip-slow or --test-clock). A run that reaches it
stops with exit 2 naming the target (it stopped answering, or answers too
slowly); the reports keep the scenarios that ran, list the others as not tested
("not reached: --max-time 15s reached") and record why it stopped (junit.xml: one
errored test case; conformance/summary.json: exit_code 2, stopped).

  oauthconf verify
  oauthconf verify --target http://127.0.0.1:8080 --profile shopware --test-clock --demo-credentials
  oauthconf verify --target https://auth.example.com --profile ./myvendor.yaml \
      --credentials creds.yaml --skip-slow --report-dir out

The terminal report is concise: one line per failed root cause and the tallies (-v adds
each failed scenario with its HTTP transcript, and the skip reasons). --format json
prints conformance/summary.json's content on stdout instead (the text goes to stderr).
--list prints what would run or be skipped for each profile, and why, without sending
a request (and without needing credentials: what a missing one stops is listed as such).
--expected-failures FILE (docs/outputs.md) names failures that do not gate.

Exit codes: 0 every MUST scenario passed (or failed as expected); 1 a MUST scenario
failed (or a SHOULD one with --strict, or an expected failure passed with --strict, or
an expected-failures entry expired); 2 usage or configuration error (unknown profile,
bad YAML, missing credential, unreachable target, bad --expected-failures file). With --report-dir, a run that stops with exit 2
leaves the reason in junit.xml (one errored test case) and conformance/summary.json.`

// register adds verify's flags to f.
func (o *verifyOptions) register(f *pflag.FlagSet) {
	f.StringVar(&o.target, "target", "", "base URL of the server to verify (default: start the embedded reference server)")
	f.StringArrayVar(&o.profiles, "profile", nil, "built-in profile name or profile YAML file (repeatable; default: all built-in profiles for the embedded reference)")
	f.StringVar(&o.tags, "tags", "", `godog tag expression selecting scenarios, e.g. "@must && ~@slow"`)
	f.StringVar(&o.reportDir, "report-dir", "", "write cucumber.json, junit.xml, conformance/summary.json, report.html and summary.md here (see docs/outputs.md)")
	f.BoolVar(&o.skipSlow, "skip-slow", false, "skip @slow scenarios (those that wait for a code or token lifetime), with that reason")
	f.BoolVar(&o.testClock, "test-clock", false, "advance the target's clock (POST /_test/clock, oauthconf serve --test-clock) instead of waiting")
	f.BoolVar(&o.strict, "strict", false, "fail the run on failed SHOULD scenarios too")
	f.IntVar(&o.concurrency, "concurrency", 4, "scenarios run at once per profile (1 to 64)")
	f.StringArrayVar(&o.credentials, "credential", nil, "credential NAME=VALUE (repeatable)")
	f.StringVar(&o.credentialsFile, "credentials", "", "YAML file mapping credential names to values")
	f.DurationVar(&o.timeout, "timeout", steps.DefaultTimeout, "timeout of each HTTP request")
	f.DurationVar(&o.maxTime, "max-time", 0, "deadline of the whole run (default: 30m, plus the longest lifetime @slow scenarios wait for in real time); reaching it exits 2")
	f.BoolVarP(&o.verbose, "verbose", "v", false, "print every scenario as it finishes, and skip reasons")
	f.StringVar(&o.expectedFile, "expected-failures", "", "YAML list of expected failures (rule, optional scenario and profile, reason, optional expires: YYYY-MM-DD); they do not gate (docs/outputs.md)")
	f.StringVar(&o.format, "format", "text", "terminal output: text, or json (summary.json's content on stdout, the text on stderr)")
	f.BoolVar(&o.list, "list", false, "print what would run or be skipped for each profile, and why, without sending a request")
	o.client.register(f)
	f.StringVar(&o.label, "label", "", `name of this run in the reports (summary.json, report.html, summary.md), e.g. "nightly #412"`)
	f.BoolVar(&o.demoCredentials, "demo-credentials", false, "use the reference server's demo credentials (for a --target started with \"oauthconf serve\" without --config); --credential and OAUTHCONF_* values win over them")
}

func newVerifyCmd() *cobra.Command {
	o := verifyOptions{now: time.Now}
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Run the Gherkin conformance suite against a server (default: the embedded reference)",
		Long:  verifyLong,
		// verify parses its own flags (parseVerifyFlags), so that a bad flag
		// is recorded in --report-dir like every other exit-2 error.
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			err := parseVerifyFlags(cmd, args)
			text, jsonOut := cmd.OutOrStdout(), io.Writer(nil)
			if o.format == "json" {
				// Nothing but the summary on stdout.
				text, jsonOut = cmd.ErrOrStderr(), cmd.OutOrStdout()
			}
			if err == nil {
				err = runVerify(cmd.Context(), o, text, jsonOut)
			}
			var ee *exitError
			recorded := errors.As(err, &ee) && ee.recorded
			if code, _ := exitCodeOf(err); code == exitUsage && !errors.Is(err, pflag.ErrHelp) && !recorded {
				// Stopped before any scenario: say why in --report-dir, for CI.
				recordVerifyAbort(cmd, args, err, text, jsonOut)
			}
			return err
		},
	}
	o.register(cmd.Flags())
	return cmd
}

// parseVerifyFlags parses verify's flags as cobra would: a bad flag goes
// through the root's flag error function, --help asks for the help, and
// verify takes no arguments.
func parseVerifyFlags(cmd *cobra.Command, args []string) error {
	if err := cmd.Flags().Parse(args); err != nil {
		return cmd.FlagErrorFunc()(cmd, err)
	}
	if help, _ := cmd.Flags().GetBool("help"); help {
		return pflag.ErrHelp
	}
	return cobra.NoArgs(cmd, cmd.Flags().Args())
}

// abort is a usage error (exit 2) of verify, of the given kind (steps.Abort*).
func abort(kind string, err error) error { return usageError(&steps.AbortError{Kind: kind, Err: err}) }

// verifyAbort prefixes a library's *steps.AbortError with "verify: " and
// marks it exit 2; any other error is returned as it is.
func verifyAbort(err error) error {
	var ae *steps.AbortError
	if !errors.As(err, &ae) {
		return err
	}
	return abort(ae.Kind, fmt.Errorf("verify: %w", ae.Err))
}

// abortTitle is the JUnit test case title of an abort of that kind.
func abortTitle(kind string) string {
	switch kind {
	case steps.AbortTags:
		return "verify ran no scenario: --tags"
	case steps.AbortUsage:
		return "verify did not start: command line"
	case steps.AbortExpected:
		return "verify did not start: --expected-failures"
	}
	return "verify did not start: " + kind
}

// recordVerifyAbort writes the record of a verify run that stopped with exit
// 2 into its --report-dir (nothing without one; other files there are kept):
// junit.xml with one errored test case naming the problem, summary.json with
// exit_code 2, the redacted message and its kind, an empty cucumber.json, and
// report.html and summary.md rebuilt to show the error. verify's RunE calls
// it for every exit-2 error, including a bad flag, an unknown flag or a stray
// argument: args are read leniently (lenientFlags), so that flags after the
// bad one count too.
func recordVerifyAbort(cmd *cobra.Command, args []string, err error, out, jsonOut io.Writer) {
	fs := lenientFlags(cmd, args)
	dir, _ := fs.GetString("report-dir")
	if dir == "" && jsonOut == nil {
		return
	}
	if fi, serr := os.Stat(dir); serr == nil && !fi.IsDir() {
		return // the directory itself is the problem the error names
	}
	kind := steps.AbortUsage
	var ae *steps.AbortError
	if errors.As(err, &ae) {
		kind = ae.Kind
	}
	creds, _ := fs.GetStringArray("credential")
	profs, _ := fs.GetStringArray("profile")
	msg := redactMessage(err.Error(), creds, profileNames(profs))
	first, _, _ := strings.Cut(msg, "\n")
	first = strings.TrimPrefix(strings.TrimPrefix(first, "oauthconf "), "verify: ")
	label, _ := fs.GetString("label")
	now := time.Now().UTC()
	a := steps.Abort{ExitCode: exitUsage, Kind: kind, Name: abortTitle(kind) + ": " + first, Message: msg, At: now,
		Info: outputs.RunInfo{Label: label, Version: buildVersion(), StartedAt: &now}}
	if jsonOut != nil {
		_ = writeJSONTo(jsonOut, outputs.Summary{RunInfo: a.Info, Profiles: []outputs.SummaryProfile{}, ExitCode: &a.ExitCode, Error: a.Message, ErrorKind: a.Kind})
	}
	if dir == "" {
		return
	}
	if werr := steps.WriteAbortReports(dir, a); werr != nil {
		fmt.Fprintf(out, "verify: recording the error in %s: %v\n", dir, werr)
		return
	}
	// report.html and summary.md say so too, instead of keeping an earlier run's verdict.
	if werr := reports.WriteAll(dir, filepath.Join(dir, "report.html")); werr != nil {
		fmt.Fprintf(out, "verify: report.html: %v\n", werr)
	}
	fmt.Fprintf(out, "the error is recorded in %s (junit.xml, conformance/summary.json, report.html, summary.md)\n", dir)
}

// lenientFlags parses args with a copy of cmd's flags that takes every value
// as a string and skips unknown flags: parsing stops at the first bad flag,
// and the flags after it are wanted too. The last value of a flag wins, as in
// parsing.
func lenientFlags(cmd *cobra.Command, args []string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(cmd.Name(), pflag.ContinueOnError)
	fs.ParseErrorsWhitelist.UnknownFlags = true
	fs.SetOutput(io.Discard)
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if _, ok := f.Value.(pflag.SliceValue); ok {
			fs.StringArrayP(f.Name, f.Shorthand, nil, f.Usage)
		} else {
			fs.StringP(f.Name, f.Shorthand, "", f.Usage)
		}
		fs.Lookup(f.Name).NoOptDefVal = f.NoOptDefVal
	})
	_ = fs.Parse(args)
	return fs
}

// profileNames returns the names of the --profile arguments (a file's name
// is the one inside it), and the built-in names.
func profileNames(args []string) []string {
	names := profile.Builtin()
	for _, a := range args {
		names = append(names, a)
		if p, err := profile.Load(a); err == nil {
			names = append(names, p.Name)
		}
	}
	return names
}

// redactMessage hides URL userinfo, every --credential value (in every wire
// form) and what internal/redact.Text hides in msg, but not the words
// "profile <name>" for the given profile names: a name is no secret, even when
// a demo password equals it (Shopware's is "shopware"). Control characters
// are escaped: msg is printed.
func redactMessage(msg string, credentialArgs, profiles []string) string {
	r := redact.New()
	for _, a := range credentialArgs {
		if _, v, ok := strings.Cut(a, "="); ok {
			r.Secrets(v)
		}
	}
	for _, n := range profiles {
		if n != "" {
			r.Keep("profile " + n)
		}
	}
	return redact.EscapeControl(r.Text(msg))
}

// maxConcurrency bounds --concurrency: more scenarios at once than this only
// turns a conformance run into an unasked-for load test of the target.
const maxConcurrency = 64

// runVerify runs the suite; its error carries the exit code (usageError via
// abort, failedError). Reports are written even when the run fails or is
// interrupted; a run that stops with exit 2 is recorded by recordVerifyAbort.
//
// With jsonOut, the summary (summary.json's content) is written there after
// the run; out gets the text.
// writeConsole writes the console report: root causes and the tallies (-v:
// the evidence), coloured on a terminal.
func writeConsole(out io.Writer, res steps.Result, verbose bool) {
	var text strings.Builder
	_ = steps.WriteText(&text, res, verbose)
	if useColor(out, os.Getenv) {
		_, _ = io.WriteString(out, colorize(text.String()))
		return
	}
	_, _ = io.WriteString(out, text.String())
}

// writeOutputs writes the reports (--report-dir) and the JSON summary
// (--format json) of a run that started at start.
func (o verifyOptions) writeOutputs(res steps.Result, code int, start time.Time, out, jsonOut io.Writer) error {
	info := outputs.RunInfo{Label: o.label, Version: buildVersion(), StartedAt: &start, DurationSeconds: time.Since(start).Seconds()}
	if o.reportDir != "" {
		if err := writeVerifyReports(o.reportDir, res, code, info, out); err != nil {
			return err
		}
	}
	if jsonOut != nil {
		if err := writeJSONTo(jsonOut, steps.SummaryOf(res, code, info)); err != nil {
			return failedError(fmt.Errorf("verify: --format json: %w", err))
		}
	}
	return nil
}

func runVerify(ctx context.Context, o verifyOptions, out, jsonOut io.Writer) error {
	start := time.Now().UTC()
	plan, err := o.plan(out)
	if err != nil {
		return err
	}
	var expected *steps.ExpectedFailures
	if o.expectedFile != "" {
		if expected, err = steps.ReadExpectedFailures(o.expectedFile); err != nil {
			return verifyAbort(err)
		}
	}
	all, err := steps.Prepare(plan)
	if err != nil {
		return verifyAbort(err)
	}
	if o.list {
		return listVerify(all, out)
	}
	base, testClock, stop, err := verifyTarget(o, out)
	if err != nil {
		return err
	}
	defer stop()
	for i := range all {
		all[i].BaseURL, all[i].TestClock = base, testClock
		fmt.Fprintf(out, "  profile %s (%s)\n", all[i].Profile.Name, all[i].Profile.Source())
	}
	if o.reportDir != "" {
		if err := os.MkdirAll(o.reportDir, 0o755); err != nil {
			return abort(steps.AbortSetup, fmt.Errorf("verify: --report-dir: %w", err))
		}
	}
	limit := o.runDeadline(all)
	rctx, cancel := context.WithTimeoutCause(ctx, limit, errMaxTime)
	defer cancel()
	res, code, runErr := steps.Verify(rctx, all)
	reached := ctx.Err() == nil && errors.Is(context.Cause(rctx), errMaxTime)
	if err := markNotReached(&res, all, reached, limit, base, o.timeout); err != nil {
		return err
	}
	if expected != nil {
		steps.ApplyExpected(&res, expected, o.now())
		if code == exitOK || (code == exitFailed && runErr == nil && !res.Interrupted) {
			code = res.ExitCode()
		}
	}
	if reached {
		code = exitUsage
	}
	if len(res.Profiles) > 0 {
		writeConsole(out, res, o.verbose)
	}
	var ae *steps.AbortError
	if errors.As(runErr, &ae) {
		return verifyAbort(runErr)
	}
	if err := o.writeOutputs(res, code, start, out, jsonOut); err != nil {
		return err
	}
	fmt.Fprintf(out, "oauthconf verify: %d profile(s) in %s\n", len(res.Profiles), time.Since(start).Round(time.Millisecond))
	switch {
	case reached:
		return recordedUsageError(fmt.Errorf("verify: the run reached --max-time %s: target %s stopped answering or answers too slowly (each request may take --timeout %s); the reports hold the scenarios that ran", limit, base, o.timeout))
	case res.Interrupted || ctx.Err() != nil:
		return failedError(fmt.Errorf("verify: interrupted (%v); the reports hold the scenarios that ran", context.Cause(ctx)))
	case runErr != nil:
		return failedError(fmt.Errorf("verify: %w", runErr))
	case code != exitOK:
		return failedError(fmt.Errorf("verify: %s", failureSummary(res)))
	}
	return nil
}

// markNotReached lists the scenarios a run that stopped early did not reach
// as not tested (steps.MarkNotReached): "not reached: --max-time 15s
// reached" when it reached --max-time (limit; res.Stopped then names the
// target base), "not reached: interrupted" after Ctrl-C.
func markNotReached(res *steps.Result, all []steps.Options, reached bool, limit time.Duration, base string, timeout time.Duration) error {
	cause := "interrupted"
	switch {
	case reached:
		cause = fmt.Sprintf("--max-time %s reached", limit)
		res.Stopped = fmt.Sprintf("%s: target %s stopped answering or answers too slowly (each request may take --timeout %s)", cause, base, timeout)
	case !res.Interrupted:
		return nil
	}
	if err := steps.MarkNotReached(res, all, cause); err != nil {
		return failedError(fmt.Errorf("verify: %w", err))
	}
	return nil
}

// defaultMaxTime is verify's run deadline (--max-time) before the time
// @slow scenarios wait in real time.
const defaultMaxTime = 30 * time.Minute

// errMaxTime is the cause of a run stopped at its deadline.
var errMaxTime = errors.New("the run reached its deadline (--max-time)")

// runDeadline is the whole run's deadline: --max-time, else defaultMaxTime
// plus the longest lifetime a @slow scenario of the profiles (which run in
// parallel) waits for in real time: none with --skip-slow or a test clock.
func (o verifyOptions) runDeadline(all []steps.Options) time.Duration {
	if o.maxTime > 0 {
		return o.maxTime
	}
	wait := time.Duration(0)
	for _, opt := range all {
		if !opt.SkipSlow && !opt.TestClock {
			wait = max(wait, slowWait(opt.Profile))
		}
	}
	return defaultMaxTime + wait
}

// slowWait is the longest real-time wait of a profile's @slow scenarios:
// its code lifetime or an access token's (expires_in), plus the second
// they add.
func slowWait(p *profile.Profile) time.Duration {
	var d time.Duration
	if p.Authorize != nil {
		d = p.Authorize.CodeTTL.Duration
	}
	for _, g := range p.Grants {
		if g != nil {
			d = max(d, time.Duration(g.ExpiresIn)*time.Second)
		}
	}
	return d + time.Second
}

// plan checks the flags and turns them into a steps.Plan; its errors are
// aborts (exit 2).
func (o verifyOptions) plan(out io.Writer) (steps.Plan, error) {
	if o.concurrency < 1 || o.concurrency > maxConcurrency {
		return steps.Plan{}, abort(steps.AbortUsage, fmt.Errorf("verify: --concurrency must be between 1 and %d, got %d", maxConcurrency, o.concurrency))
	}
	if o.reportDir != "" {
		if fi, err := os.Stat(o.reportDir); err == nil && !fi.IsDir() {
			return steps.Plan{}, abort(steps.AbortSetup, fmt.Errorf("verify: --report-dir %s is a file, not a directory", o.reportDir))
		}
	}
	if err := steps.ValidateTags(o.tags); err != nil {
		return steps.Plan{}, abort(steps.AbortTags, fmt.Errorf("verify: %w", err))
	}
	if o.timeout <= 0 {
		return steps.Plan{}, abort(steps.AbortUsage, fmt.Errorf("verify: --timeout must be positive, got %s", o.timeout))
	}
	if o.maxTime < 0 {
		return steps.Plan{}, abort(steps.AbortUsage, fmt.Errorf("verify: --max-time must be positive, got %s", o.maxTime))
	}
	if o.format != "text" && o.format != "json" {
		return steps.Plan{}, abort(steps.AbortUsage, fmt.Errorf("verify: --format %q: want text or json", o.format))
	}
	hc, err := o.httpClient(out)
	if err != nil {
		return steps.Plan{}, err
	}
	given, err := credentialFlags(o.credentials, o.credentialsFile)
	if err != nil {
		return steps.Plan{}, abort(steps.AbortCredentials, fmt.Errorf("verify: %w", err))
	}
	embedded := o.target == ""
	if !embedded {
		if err := checkTargetURL(o.target); err != nil {
			return steps.Plan{}, abort(steps.AbortTarget, fmt.Errorf("verify: %w", err))
		}
	}
	names := o.profiles
	if len(names) == 0 {
		if !embedded {
			return steps.Plan{}, abort(steps.AbortUsage, fmt.Errorf("verify: --target needs --profile (built-in: %s, or a YAML file)", strings.Join(profile.Builtin(), ", ")))
		}
		names = profile.Builtin()
	}
	plan := steps.Plan{Profiles: names, Given: given, ListOnly: o.list, Base: steps.Options{
		Tags: o.tags, SkipSlow: o.skipSlow, Strict: o.strict,
		Concurrency: o.concurrency, Timeout: o.timeout, Output: out, Verbose: o.verbose,
		Chromium:   os.Getenv("OAUTHCONF_CHROMIUM"), // authorize.login.mode browser
		HTTPClient: hc, Now: o.now,
	}}
	if embedded || o.demoCredentials {
		// The embedded server only knows its demo credentials: there the
		// environment does not count.
		plan.Credentials = func(p *profile.Profile) map[string]string { return withDemoCredentials(p, given, !embedded) }
	} else if httpx.IsLoopback(o.target) {
		plan.ResolveHint = demoHint
	}
	return plan, nil
}

// verifyTarget starts the embedded reference server (with a test clock)
// without --target, and returns the base URL, whether to drive the test clock,
// and what stops the server.
func verifyTarget(o verifyOptions, out io.Writer) (string, bool, func(), error) {
	if o.target != "" {
		base := strings.TrimRight(o.target, "/")
		fmt.Fprintf(out, "oauthconf verify: %s\n", base)
		return base, o.testClock, func() {}, nil
	}
	url, stop, err := startEmbeddedReference(reference.WithTestClock())
	if err != nil {
		return "", false, nil, abort(steps.AbortSetup, fmt.Errorf("verify: starting the embedded reference server: %w", err))
	}
	fmt.Fprintf(out, "oauthconf verify: embedded reference server on %s (test clock)\n", url)
	return url, true, stop, nil
}

// writeVerifyReports writes the files of docs/outputs.md and report.html.
func writeVerifyReports(dir string, res steps.Result, code int, info outputs.RunInfo, out io.Writer) error {
	if err := steps.WriteRunReports(dir, res, code, info); err != nil {
		return failedError(fmt.Errorf("verify: writing reports: %w", err))
	}
	fmt.Fprintf(out, "reports written to %s\n", dir)
	if err := reports.WriteAll(dir, filepath.Join(dir, "report.html")); err != nil {
		fmt.Fprintf(out, "verify: report.html: %v\n", err)
	}
	return nil
}

// failureSummary names the scenarios that made the run fail.
// scenarioList names up to three scenarios and counts the rest.
func scenarioList(ids []string) string {
	if len(ids) <= 3 {
		return strings.Join(ids, "; ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(ids[:3], "; "), len(ids)-3)
}

// firstLine returns s up to its first newline.
func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

func failureSummary(res steps.Result) string {
	var causes, names []string
	for _, p := range res.Profiles {
		for _, rc := range p.RootCauses {
			if steps.LevelGates(rc.Level, res.Strict) {
				causes = append(causes, fmt.Sprintf("[%s] %s: %s\n      in %s", p.Name, rc.Rule, firstLine(rc.Cause), scenarioList(rc.Scenarios)))
			}
		}
	}
	for _, e := range res.Expected {
		if e.Gating {
			causes = append(causes, expectedCause(e, res.ExpectedFile))
		}
	}
	for _, s := range res.Scenarios() {
		if s.Status == steps.StatusError { // the harness could not judge it (steps.Result.Failed)
			names = append(names, fmt.Sprintf("%s [harness error]", s.ID()))
		}
	}
	const max = 10
	all := append(causes, names...)
	total := len(all)
	more := ""
	if total > max {
		more = fmt.Sprintf("\n  … and %d more", total-max)
		all = all[:max]
	}
	return fmt.Sprintf("%d root cause(s) failed the run:\n  %s%s", total, strings.Join(all, "\n  "), more)
}

// expectedCause names an --expected-failures entry of file that fails the
// run: one that passed under --strict, or one that expired.
func expectedCause(e steps.ExpectedFailure, file string) string {
	profiles := e.Profile
	if profiles == "" {
		var names []string
		for _, id := range e.Scenarios {
			if n, _, ok := strings.Cut(id, ": "); ok && !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
		profiles = strings.Join(names, ", ")
	}
	if profiles == "" {
		profiles = "every profile"
	}
	what := "unexpectedly passing under --strict: remove the entry"
	if e.Outcome == outputs.ExpectedExpired {
		what = "expired on " + e.Expires + ": it gates again: fix it or renew the entry"
	}
	return fmt.Sprintf("expected failure @%s (%s): %s (%s:%d)", e.Rule, profiles, what, file, e.Line)
}

// httpClient is the client the client options ask for (nil: the default);
// it prints the --insecure warning and the extra headers on out.
func (o verifyOptions) httpClient(out io.Writer) (*http.Client, error) {
	if o.client.set() && o.target == "" {
		return nil, abort(steps.AbortUsage, errors.New("verify: --ca-file, --client-cert, --client-key, --header and --insecure need a --target"))
	}
	tr, err := o.client.transport(o.timeout, out)
	if err != nil {
		return nil, abort(steps.AbortUsage, fmt.Errorf("verify: %w", err))
	}
	if tr == nil {
		return nil, nil
	}
	return &http.Client{Transport: tr}, nil
}

// listVerify prints what each prepared profile would run or skip, and why
// (verify --list); no request is sent.
func listVerify(all []steps.Options, out io.Writer) error {
	for _, o := range all {
		plan, err := steps.List(o)
		if err != nil {
			return abort(steps.AbortSetup, fmt.Errorf("verify --list: %w", err))
		}
		fmt.Fprintf(out, "profile %s (%s):\n", o.Profile.Name, o.Profile.Source())
		if err := steps.WriteList(out, o.Profile.Name, plan); err != nil {
			return err
		}
	}
	return nil
}

// writeJSONTo writes v as indented JSON and a newline.
func writeJSONTo(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
