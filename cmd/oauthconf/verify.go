package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/oauthconf/oauthconf/features"
	"github.com/oauthconf/oauthconf/internal/httpx"
	"github.com/oauthconf/oauthconf/internal/redact"
	"github.com/oauthconf/oauthconf/profile"
	"github.com/oauthconf/oauthconf/reference"
	"github.com/oauthconf/oauthconf/reports"
	"github.com/oauthconf/oauthconf/steps"
	"github.com/spf13/cobra"
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
	verbose         bool
	demoCredentials bool
}

func newVerifyCmd() *cobra.Command {
	var o verifyOptions
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Run the Gherkin conformance suite against a server (default: the embedded reference)",
		Long: `Run the conformance suite (features/*.feature, embedded in the binary) against an
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
exit 1; the reports keep what ran (verdict INCOMPLETE when nothing failed).

  oauthconf verify
  oauthconf verify --target http://127.0.0.1:8080 --profile shopware --test-clock --demo-credentials
  oauthconf verify --target https://auth.example.com --profile ./myvendor.yaml \
      --credentials creds.yaml --skip-slow --report-dir out

Exit codes: 0 every MUST scenario passed; 1 a MUST scenario failed (or a SHOULD one
with --strict); 2 usage or configuration error (unknown profile, bad YAML, missing
credential, unreachable target). With --report-dir, a run that stops with exit 2
leaves the reason in junit.xml (one errored test case) and conformance/summary.json.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runVerify(cmd.Context(), o, cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.target, "target", "", "base URL of the server to verify (default: start the embedded reference server)")
	f.StringArrayVar(&o.profiles, "profile", nil, "built-in profile name or profile YAML file (repeatable; default: all built-in profiles for the embedded reference)")
	f.StringVar(&o.tags, "tags", "", `godog tag expression selecting scenarios, e.g. "@must && ~@slow"`)
	f.StringVar(&o.reportDir, "report-dir", "", "write cucumber.json, junit.xml and conformance/summary.json here (see docs/outputs.md)")
	f.BoolVar(&o.skipSlow, "skip-slow", false, "skip @slow scenarios (those that wait for a code or token lifetime), with that reason")
	f.BoolVar(&o.testClock, "test-clock", false, "advance the target's clock (POST /_test/clock, oauthconf serve --test-clock) instead of waiting")
	f.BoolVar(&o.strict, "strict", false, "fail the run on failed SHOULD scenarios too")
	f.IntVar(&o.concurrency, "concurrency", 4, "scenarios run at once per profile (1 to 64)")
	f.StringArrayVar(&o.credentials, "credential", nil, "credential NAME=VALUE (repeatable)")
	f.StringVar(&o.credentialsFile, "credentials", "", "YAML file mapping credential names to values")
	f.DurationVar(&o.timeout, "timeout", steps.DefaultTimeout, "timeout of each HTTP request")
	f.BoolVarP(&o.verbose, "verbose", "v", false, "print every scenario as it finishes, and skip reasons")
	f.BoolVar(&o.demoCredentials, "demo-credentials", false, "use the reference server's demo credentials (for a --target started with \"oauthconf serve\" without --config); --credential and OAUTHCONF_* values win over them")
	return cmd
}

// Why a verify run stopped before any scenario ran (exit 2): the error_kind
// of summary.json and the title of the JUnit test case that records it
// (docs/outputs.md).
const (
	abortUsage       = "usage"       // flags and arguments
	abortProfile     = "profile"     // unknown profile, bad YAML
	abortCredentials = "credentials" // missing, unknown or unreadable credentials
	abortTarget      = "target"      // bad --target URL, failed reachability check
	abortTags        = "tags"        // --tags selected no scenario
	abortSetup       = "setup"       // embedded server, report directory, feature files
)

var abortTitles = map[string]string{
	abortUsage:       "verify did not start: command line",
	abortProfile:     "verify did not start: profile",
	abortCredentials: "verify did not start: credentials",
	abortTarget:      "verify did not start: target",
	abortTags:        "verify ran no scenario: --tags",
	abortSetup:       "verify did not start: setup",
}

// abortError is an exit-2 error of verify with its kind (abortUsage, …).
type abortError struct {
	kind string
	err  error
}

func (e *abortError) Error() string { return e.err.Error() }
func (e *abortError) Unwrap() error { return e.err }

// abort is a usageError (exit 2) of the given kind.
func abort(kind string, err error) error { return usageError(&abortError{kind: kind, err: err}) }

// recordVerifyAbort writes the record of a verify run that stopped with exit
// 2 into its --report-dir (nothing without one; other files there are kept):
// junit.xml with one errored test case naming the problem, summary.json with
// exit_code 2, the redacted message and its kind, an empty cucumber.json, and
// report.html and summary.md rebuilt to show the error.
// run calls it for every exit-2 error of the verify command, including those
// cobra raises before runVerify (a bad flag value, an unknown flag, a stray
// argument); flags that parsing did not reach are read from args.
func recordVerifyAbort(cmd *cobra.Command, args []string, err error, out io.Writer) {
	dirs := flagValues(cmd, args, "report-dir")
	if len(dirs) == 0 {
		return
	}
	dir := dirs[len(dirs)-1] // the last one wins, as in parsing
	if cmd.Flags().Changed("report-dir") {
		dir = dirs[0]
	}
	if dir == "" {
		return
	}
	if fi, serr := os.Stat(dir); serr == nil && !fi.IsDir() {
		return // the directory itself is the problem the error names
	}
	kind := abortUsage
	var ae *abortError
	if errors.As(err, &ae) {
		kind = ae.kind
	}
	msg := redactMessage(err.Error(), flagValues(cmd, args, "credential"), profileNames(flagValues(cmd, args, "profile")))
	first, _, _ := strings.Cut(msg, "\n")
	first = strings.TrimPrefix(strings.TrimPrefix(first, "oauthconf "), "verify: ")
	a := steps.Abort{ExitCode: exitUsage, Kind: kind, Name: abortTitles[kind] + ": " + first, Message: msg}
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

// flagValues returns the values of cmd's flag name as parsed and as written
// in args (--name V, --name=V): parsing stops at the first bad flag, so the
// flags after it are only in args. The parsed ones come first.
func flagValues(cmd *cobra.Command, args []string, name string) []string {
	var vals []string
	if f := cmd.Flags().Lookup(name); f != nil && f.Changed {
		if sv, ok := f.Value.(interface{ GetSlice() []string }); ok {
			vals = append(vals, sv.GetSlice()...)
		} else {
			vals = append(vals, f.Value.String())
		}
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			vals = append(vals, v)
		} else if a == "--"+name && i+1 < len(args) {
			vals = append(vals, args[i+1])
			i++
		}
	}
	return vals
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
func runVerify(ctx context.Context, o verifyOptions, out io.Writer) error {
	start := time.Now()
	if o.concurrency < 1 || o.concurrency > maxConcurrency {
		return abort(abortUsage, fmt.Errorf("verify: --concurrency must be between 1 and %d, got %d", maxConcurrency, o.concurrency))
	}
	if o.reportDir != "" {
		if fi, err := os.Stat(o.reportDir); err == nil && !fi.IsDir() {
			return abort(abortSetup, fmt.Errorf("verify: --report-dir %s is a file, not a directory", o.reportDir))
		}
	}
	if err := steps.ValidateTags(o.tags); err != nil {
		return abort(abortTags, fmt.Errorf("verify: %w", err))
	}
	if o.timeout <= 0 {
		return abort(abortUsage, fmt.Errorf("verify: --timeout must be positive, got %s", o.timeout))
	}
	given, err := credentialFlags(o.credentials, o.credentialsFile)
	if err != nil {
		return abort(abortCredentials, fmt.Errorf("verify: %w", err))
	}
	names := o.profiles
	embedded := o.target == ""
	if !embedded {
		if err := checkTargetURL(o.target); err != nil {
			return abort(abortTarget, fmt.Errorf("verify: %w", err))
		}
	}
	if len(names) == 0 {
		if !embedded {
			return abort(abortUsage, fmt.Errorf("verify: --target needs --profile (built-in: %s, or a YAML file)", strings.Join(profile.Builtin(), ", ")))
		}
		names = profile.Builtin()
	}
	var profiles []*profile.Profile
	seen := map[string]string{}
	for _, n := range names {
		p, err := profile.Load(n)
		if err != nil {
			return abort(abortProfile, fmt.Errorf("verify: %w", err))
		}
		// Reports are kept per profile name: a second one would overwrite the first.
		if prev, dup := seen[p.Name]; dup {
			return abort(abortProfile, fmt.Errorf("verify: --profile %s and --profile %s are both named %q; give each profile once, with its own name", prev, n, p.Name))
		}
		seen[p.Name] = n
		profiles = append(profiles, p)
	}
	tags, err := steps.FeatureTags(features.FS)
	if err != nil {
		return abort(abortSetup, fmt.Errorf("verify: %w", err))
	}
	for _, p := range profiles {
		if err := steps.CheckRequirements(p, tags); err != nil {
			return abort(abortProfile, fmt.Errorf("verify: %w", err))
		}
	}

	for name := range given {
		known := false
		for _, p := range profiles {
			_, ok := p.Credentials[name]
			known = known || ok
		}
		if !known && len(profiles) == 1 {
			return abort(abortCredentials, fmt.Errorf("verify: credential %q is not declared by profile %s (it has: %s)", name, profiles[0].Name, strings.Join(credentialNames(profiles[0]), ", ")))
		}
		if !known {
			return abort(abortCredentials, fmt.Errorf("verify: credential %q is declared by none of the profiles %s", name, strings.Join(names, ", ")))
		}
	}

	base := strings.TrimRight(o.target, "/")
	testClock := o.testClock
	if embedded {
		url, stop, err := startEmbeddedReference(reference.WithTestClock())
		if err != nil {
			return abort(abortSetup, fmt.Errorf("verify: starting the embedded reference server: %w", err))
		}
		defer stop()
		base, testClock = url, true
		fmt.Fprintf(out, "oauthconf verify: embedded reference server on %s (test clock)\n", base)
	} else {
		fmt.Fprintf(out, "oauthconf verify: %s\n", base)
	}

	var all []steps.Options
	for _, p := range profiles {
		g := given
		if embedded || o.demoCredentials {
			// The embedded server only knows its demo credentials: there the
			// environment does not count.
			g = withDemoCredentials(p, given, !embedded)
		}
		creds, err := profile.Resolve(p, g, os.Getenv)
		if err != nil && !embedded && !o.demoCredentials && httpx.IsLoopback(o.target) {
			err = fmt.Errorf("%w\n(a target started with `oauthconf serve`? --demo-credentials uses its demo credentials)", err)
		}
		if err != nil {
			return abort(abortCredentials, fmt.Errorf("verify: %w", err))
		}
		all = append(all, steps.Options{
			BaseURL: base, Profile: p, Credentials: creds, Tags: o.tags,
			SkipSlow: o.skipSlow, TestClock: testClock, Strict: o.strict,
			Concurrency: o.concurrency, Timeout: o.timeout, Output: out, Verbose: o.verbose,
		})
		fmt.Fprintf(out, "  profile %s (%s)\n", p.Name, p.Source())
	}
	if o.reportDir != "" {
		if err := os.MkdirAll(o.reportDir, 0o755); err != nil {
			return abort(abortSetup, fmt.Errorf("verify: --report-dir: %w", err))
		}
	}

	res, runErr := steps.RunAll(ctx, all)
	interrupted := res.Interrupted || ctx.Err() != nil
	if runErr != nil && !interrupted && len(res.Profiles) == 0 {
		kind := abortSetup
		if errors.Is(runErr, steps.ErrTargetCheck) {
			kind = abortTarget
		}
		return abort(kind, fmt.Errorf("verify: %w", runErr))
	}
	if len(res.Scenarios()) == 0 && !interrupted && runErr == nil {
		return abort(abortTags, fmt.Errorf("verify: no scenario ran: --tags %q matches none (godog syntax: @a && ~@b, @a,@b)", o.tags))
	}
	code := res.ExitCode()
	if interrupted || runErr != nil {
		code = exitFailed
	}
	if o.reportDir != "" {
		if err := steps.WriteReports(o.reportDir, res, code); err != nil {
			return failedError(fmt.Errorf("verify: writing reports: %w", err))
		}
		fmt.Fprintf(out, "reports written to %s\n", o.reportDir)
		if err := reports.WriteAll(o.reportDir, filepath.Join(o.reportDir, "report.html")); err != nil {
			fmt.Fprintf(out, "verify: report.html: %v\n", err)
		}
	}
	fmt.Fprintf(out, "oauthconf verify: %d profile(s) in %s\n", len(res.Profiles), time.Since(start).Round(time.Millisecond))
	switch {
	case interrupted:
		return failedError(fmt.Errorf("verify: interrupted (%v); the reports hold the scenarios that ran", context.Cause(ctx)))
	case runErr != nil:
		return failedError(fmt.Errorf("verify: %w", runErr))
	case code != exitOK:
		return failedError(fmt.Errorf("verify: %s", failureSummary(res)))
	}
	return nil
}

// failureSummary names the scenarios that made the run fail.
func failureSummary(res steps.Result) string {
	var names []string
	for _, s := range res.Scenarios() {
		if s.Status == steps.StatusFailed && (s.Level == profile.LevelMust || res.Strict) {
			names = append(names, fmt.Sprintf("%s [%s]", s.ID(), s.Level))
		}
	}
	const max = 10
	total := len(names)
	more := ""
	if total > max {
		more = fmt.Sprintf("\n  … and %d more", total-max)
		names = names[:max]
	}
	return fmt.Sprintf("%d scenario(s) failed:\n  %s%s", total, strings.Join(names, "\n  "), more)
}
