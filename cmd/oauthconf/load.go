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

	"github.com/oauthconf/oauthconf/internal/httpx"
	"github.com/oauthconf/oauthconf/internal/outputs"
	"github.com/oauthconf/oauthconf/load"
	"github.com/oauthconf/oauthconf/profile"
	"github.com/oauthconf/oauthconf/reports"
	"github.com/spf13/cobra"
)

type loadOptions struct {
	target          string
	profile         string
	scenario        string
	mix             string
	rate            int
	duration        time.Duration
	maxRequests     uint64
	ramp            string
	findCapacity    bool
	probes          int
	maxRate         int
	slo             string
	out             string
	credentials     []string
	credsFile       string
	workers         uint64
	timeout         time.Duration
	allowRemote     bool
	demoCredentials bool
	quiet           bool
	client          clientFlags
	sloAbort        bool
	shard           string
	shards          int
	serverPID       int
	label           string
}

func newLoadCmd() *cobra.Command {
	var o loadOptions
	cmd := &cobra.Command{
		Use:   "load",
		Short: "Stress a token endpoint with vegeta scenarios, one per grant",
		Long: `Stress a token endpoint with a vegeta load scenario built from a profile.

Scenarios: client_credentials, password, implicit, customer_token (Elastic Path),
refresh_token (each worker follows its own rotation chain), authorization_code (the
full connect → URL-decode → exchange flow; the report shows both steps and the
end-to-end flow latency), and mix (--mix cc=70,refresh=20,code=10).

Without --target the embedded reference server is started on loopback. A response
counts as a success only when it is a valid token response for the profile.
Every run is bounded by --duration and --max-requests; Ctrl-C stops it and still
writes the reports of what ran. Exit codes: 0 ok; 1 the --slo was missed, or not
one response was a valid token response; 2 usage or configuration error (including
a target that does not answer).

  oauthconf load --profile shopware --scenario client_credentials --rate 200 --duration 30s --out out/
  oauthconf load --profile rfc6749 --scenario client_credentials --rate 500 --duration 20s --slo 'p99<50ms,success>=99.9%'
  oauthconf load --profile ucommerce --scenario authorization_code --find-capacity --slo 'p99<100ms,success>=99.9%'
  oauthconf load report run-a/load/client_credentials/results.bin run-b/load/client_credentials/results.bin

SLO conditions are [STEP.]METRIC OP VALUE: STEP a step of the report (token, connect,
exchange, flow, cc.token, …; none: the whole run), METRIC pNN or pNN.N up to p99.9, max,
mean, success, error_rate or throughput. --slo-abort stops the run at a breach.
--shard I/N (or $JOB_COMPLETION_INDEX with --shards N) runs one of N copies that make one
run; merge them with load report (docs/distributed.md).

  oauthconf load --profile ucommerce --scenario authorization_code --rate 200 --duration 1m --slo 'exchange.p99<50ms,p99.9<200ms,error_rate<0.1%' --slo-abort
  oauthconf load --target http://127.0.0.1:8080 --demo-credentials --rate 300 --duration 1m --shard 0/3 --out shared/
  oauthconf load --target http://127.0.0.1:8080 --demo-credentials --server-pid 4242 --duration 10m   # the server's CPU µs/token and RSS growth`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runLoad(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.target, "target", "", "base URL of the server (default: the embedded reference server on loopback)")
	f.StringVar(&o.profile, "profile", "rfc6749", "built-in profile name or profile YAML file")
	f.StringVar(&o.scenario, "scenario", load.ClientCredentials, "scenario: client_credentials, password, implicit, customer_token, refresh_token, authorization_code, mix")
	f.StringVar(&o.mix, "mix", "", "weights for --scenario mix, e.g. cc=70,refresh=20,code=10")
	f.IntVar(&o.rate, "rate", 50, "requests per second (0: as fast as --workers allow)")
	f.DurationVar(&o.duration, "duration", 10*time.Second, "how long the run lasts")
	f.Uint64Var(&o.maxRequests, "max-requests", 0, "stop after this many requests (default: rate × duration × 1.1)")
	f.StringVar(&o.ramp, "ramp", "", "step the rate FROM:TO:STEPS over --duration, e.g. 100:1000:5")
	f.BoolVar(&o.findCapacity, "find-capacity", false, "search for the highest rate that meets --slo (each probe lasts --duration)")
	f.IntVar(&o.probes, "probes", load.DefaultCapacityProbes, "at most this many probes for --find-capacity")
	f.IntVar(&o.maxRate, "max-rate", 0, "highest rate --find-capacity probes (0: no ceiling but --probes)")
	f.StringVar(&o.slo, "slo", "", "service level objective, e.g. 'p99<50ms,success>=99.9%'; missing it exits 1")
	f.StringVar(&o.out, "out", "", "directory for results.bin, report.json, latency.hgrm and plot.html (under load/<scenario>/)")
	f.StringArrayVar(&o.credentials, "credential", nil, "credential NAME=VALUE (repeatable; or OAUTHCONF_<NAME> env vars)")
	f.StringVar(&o.credsFile, "credentials", "", "YAML file of credential names and values")
	f.Uint64Var(&o.workers, "workers", load.DefaultWorkers, "initial vegeta workers (also the cap when --rate 0)")
	f.DurationVar(&o.timeout, "timeout", load.DefaultTimeout, "per-request timeout")
	f.BoolVar(&o.allowRemote, "allow-remote", false, "allow a --target that is not a loopback address")
	f.BoolVar(&o.demoCredentials, "demo-credentials", false, "use the reference server's demo credentials (for a --target started with \"oauthconf serve\" without --config); --credential and OAUTHCONF_* values win over them")
	f.BoolVar(&o.quiet, "quiet", false, "no progress lines")
	o.client.register(f)
	f.BoolVar(&o.sloAbort, "slo-abort", false, fmt.Sprintf("stop the run at the first breach of --slo (checked every second after %s, on steps with %d requests); exits 1", load.DefaultAbortGrace, load.DefaultAbortMinRequests))
	f.StringVar(&o.shard, "shard", "", "run shard I/N of a distributed run (I from 0): this copy sends its share of --rate and --max-requests (default: $JOB_COMPLETION_INDEX of --shards)")
	f.IntVar(&o.shards, "shards", 0, "how many shards make the run, with $JOB_COMPLETION_INDEX (Kubernetes Indexed Job; default $OAUTHCONF_SHARDS)")
	f.IntVar(&o.serverPID, "server-pid", 0, "process id of the --target server on this Linux machine, which must listen on the target's port (e.g. $(lsof -t -iTCP:8080 -sTCP:LISTEN)): sample its CPU time and RSS during the run (CPU µs per token, RSS growth per 1,000 tokens, a warning when memory grows steadily); that process only, not its children")
	f.StringVar(&o.label, "label", "", `name of this run in the reports (report.json, report.html, summary.md), e.g. "nightly #412"`)
	cmd.AddCommand(newLoadReportCmd())
	return cmd
}

func newLoadReportCmd() *cobra.Command {
	var out, slo string
	var mo load.MergeOptions
	cmd := &cobra.Command{
		Use:   "report FILE...",
		Short: "Merge results.bin files (e.g. from several machines or shards) into one report",
		Long: `Merge vegeta result files written by 'oauthconf load --out' on several machines
(or by the shards of 'load --shard I/N') into one report: the documented way to run
a distributed load with vegeta's own result format. Merge runs that ran at the same
time (one per machine): the rate is computed over the span from the first to the
last result. With --slo the merged run is judged as load judges one (its steps are
those the files record; flow latencies are not in results.bin). The report.json beside
each file (a run's or shard's) gives the merged report its profile, target, version
and label; where they disagree the report lists them all and a warning says so. With --out DIR, the
merged results.bin, report.json, latency.hgrm and plot.html go to DIR/load/<scenario>/
and report.html to DIR. Exit codes as load's: 0 ok; 1 the --slo was missed, or not
one response was a valid token response; 2 usage error or an unreadable file.

  oauthconf load report --slo 'exchange.p99<50ms,error_rate<0.1%' --out merged/ out/load/authorization_code/shard-*/results.bin`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			return runLoadReport(files, mo, slo, out, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "directory for the merged results.bin, report.json, latency.hgrm and plot.html")
	cmd.Flags().StringVar(&mo.Profile, "profile", "", "profile name to record in the merged report (default: those of the inputs' report.json)")
	cmd.Flags().StringVar(&mo.Label, "label", "", `name of the merged run in the reports, e.g. "nightly #412" (default: the inputs' labels)`)
	cmd.Flags().StringVar(&slo, "slo", "", "service level objective for the merged run, e.g. 'exchange.p99<50ms,success>=99.9%'; missing it exits 1")
	return cmd
}

// runLoadReport merges result files, judges the merged run by slo and
// writes its files under out; its error carries the exit code.
func runLoadReport(files []string, mo load.MergeOptions, sloExpr, out string, stdout, stderr io.Writer) error {
	slo, err := load.ParseSLO(sloExpr)
	if err != nil {
		return usageError(err)
	}
	rep, err := load.Merge(files, mo)
	if err != nil {
		return usageError(err)
	}
	for _, w := range rep.Warnings {
		fmt.Fprintln(stderr, w)
	}
	if w := shardWarning(files); w != "" {
		fmt.Fprintln(stderr, w)
	}
	if err := slo.CheckSteps(rep.StepNames()); err != nil {
		return usageError(fmt.Errorf("load report: %w", err))
	}
	rep.SLO = slo.Check(rep)
	if err := load.WriteText(stdout, rep); err != nil {
		return err
	}
	if out != "" {
		dir := filepath.Join(out, "load", rep.Scenario)
		if err := load.WriteFiles(dir, rep); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "merged report written to %s\n", dir)
		writeRunReport(out, stderr)
	}
	if err := rep.Verdict(); err != nil {
		return failedError(err)
	}
	return nil
}

// runLoad runs one load scenario (or a capacity search); its error carries
// the exit code (usageError, failedError).
func runLoad(ctx context.Context, o loadOptions, stdout, stderr io.Writer) error {
	opts, err := o.options(stderr)
	if err != nil {
		return err
	}
	stop, err := o.prepareTarget(ctx, &opts, stderr)
	if err != nil {
		return err
	}
	defer stop()
	if o.findCapacity {
		if opts.Shard != nil {
			return usageError(errors.New("load: --find-capacity cannot be sharded (each probe would be judged on a share)"))
		}
		return runCapacity(ctx, o, opts, stdout, stderr)
	}
	rep, err := load.Run(ctx, opts)
	if err != nil {
		if rep == nil {
			return usageError(err)
		}
		fmt.Fprintln(stderr, "load:", err)
	}
	if err := load.WriteText(stdout, rep); err != nil {
		return err
	}
	if o.out != "" {
		fmt.Fprintf(stderr, "load: results in %s\n", opts.ResultsDir())
		if opts.Shard == nil {
			writeRunReport(o.out, stderr)
		} else {
			fmt.Fprintf(stderr, "load: merge the shards with: oauthconf load report --out DIR %s\n", filepath.Join(filepath.Dir(opts.ResultsDir()), "shard-*", "results.bin"))
		}
	}
	if err := rep.Verdict(); err != nil {
		return failedError(err)
	}
	return nil
}

// options turns the flags into load.Options (all but the target and its
// credentials).
func (o loadOptions) options(stderr io.Writer) (load.Options, error) {
	prof, err := profile.Load(o.profile)
	if err != nil {
		return load.Options{}, usageError(err)
	}
	slo, err := load.ParseSLO(o.slo)
	if err != nil {
		return load.Options{}, usageError(err)
	}
	opts := load.Options{
		Profile: prof, Scenario: o.scenario, Rate: o.rate, Duration: o.duration, MaxRequests: o.maxRequests,
		Workers: o.workers, Timeout: o.timeout, SLO: slo, OutDir: o.out,
	}
	opts.Label, opts.Version = o.label, buildVersion()
	if !o.quiet {
		opts.Progress = stderr
	}
	if opts.ServerPID = o.serverPID; o.serverPID != 0 {
		if o.target == "" {
			return load.Options{}, usageError(errors.New("load: --server-pid needs --target: the embedded reference runs inside this process, the load generator"))
		}
		warning, err := load.CheckServerPID(o.serverPID, o.target)
		if err != nil {
			return load.Options{}, usageError(err)
		}
		if warning != "" {
			fmt.Fprintln(stderr, warning)
		}
	}
	if opts.Transport, err = o.client.transport(o.timeout, stderr); err != nil {
		return load.Options{}, usageError(fmt.Errorf("load: %w", err))
	}
	if o.mix != "" {
		if opts.Mix, err = load.ParseMix(o.mix); err != nil {
			return load.Options{}, usageError(err)
		}
		opts.Scenario = load.Mix
	}
	if o.ramp != "" {
		if opts.Ramp, err = load.ParseRamp(o.ramp); err != nil {
			return load.Options{}, usageError(err)
		}
	}
	if opts.SLOAbort = o.sloAbort; o.sloAbort && len(slo.Conds) == 0 {
		return load.Options{}, usageError(errors.New("load: --slo-abort needs an --slo to check"))
	}
	if opts.Shard, err = resolveShard(o.shard, o.shards, os.Getenv); err != nil {
		return load.Options{}, usageError(err)
	}
	return opts, nil
}

// prepareTarget sets opts' base URL and credentials: the embedded reference
// with its demo credentials without --target, else the target (loopback
// unless --allow-remote) with the given credentials, once it answers. It
// returns what stops the embedded server.
func (o loadOptions) prepareTarget(ctx context.Context, opts *load.Options, stderr io.Writer) (func(), error) {
	prof := opts.Profile
	if remote := load.RemoteEndpoints(prof); len(remote) > 0 && (o.target == "" || !o.allowRemote) {
		return nil, usageError(fmt.Errorf("profile %s names endpoints on a host that is not a loopback address: %s; load traffic to another host needs --target and --allow-remote", prof.Name, strings.Join(remote, ", ")))
	}
	if o.target == "" {
		base, stop, err := startEmbeddedReference()
		if err != nil {
			return nil, err
		}
		opts.BaseURL = base
		opts.Credentials, err = profile.Resolve(prof, demoCredentials(prof), func(string) string { return "" })
		if err != nil {
			stop()
			return nil, usageError(fmt.Errorf("the embedded reference has no demo credentials for profile %s: %w", prof.Name, err))
		}
		fmt.Fprintf(stderr, "load: embedded reference server at %s\n", base)
		return stop, nil
	}
	if err := checkTargetURL(o.target); err != nil {
		return nil, usageError(fmt.Errorf("load: %w", err))
	}
	if !httpx.IsLoopback(o.target) && !o.allowRemote {
		return nil, usageError(fmt.Errorf("--target %s is not a loopback address; load traffic to another host needs --allow-remote", o.target))
	}
	opts.BaseURL = o.target
	given, err := credentialFlags(o.credentials, o.credsFile)
	if err != nil {
		return nil, usageError(err)
	}
	if o.demoCredentials {
		given = withDemoCredentials(prof, given, true)
	}
	if opts.Credentials, err = load.ResolveCredentials(*opts, given, nil); err != nil {
		if !o.demoCredentials && httpx.IsLoopback(o.target) {
			err = fmt.Errorf("%w\n%s", err, demoHint)
		}
		return nil, usageError(err)
	}
	if err := load.ProbeVia(ctx, profile.JoinURL(o.target, prof.Token.Path), o.timeout, opts.Transport); err != nil {
		if ctx.Err() != nil { // Ctrl-C during the start-up check: interrupted, not a configuration error
			return nil, failedError(fmt.Errorf("load: interrupted during the start-up check, before any request of the run: %w", err))
		}
		return nil, usageError(err)
	}
	return func() {}, nil
}

// runCapacity searches for the highest rate that meets the SLO
// (--find-capacity) and writes capacity.json with --out.
func runCapacity(ctx context.Context, o loadOptions, opts load.Options, stdout, stderr io.Writer) error {
	if o.maxRate < 0 {
		return usageError(fmt.Errorf("load: --max-rate must not be negative, got %d", o.maxRate))
	}
	cap, err := load.FindCapacity(ctx, opts, o.probes, o.maxRate, stderr)
	if err != nil && !errors.Is(err, context.Canceled) {
		return usageError(err)
	}
	if o.out != "" {
		if err := load.WriteCapacity(o.out, opts.SLO, cap); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "load: capacity search written to %s\n", filepath.Join(o.out, "load", "capacity.json"))
	}
	fmt.Fprintln(stdout, cap.Summary(opts.SLO.Expr))
	if cap.Outcome == outputs.CapacityInterrupted {
		return failedError(errors.New("load: capacity search interrupted"))
	}
	if err := cap.Verdict(); err != nil {
		return failedError(err)
	}
	return nil
}

// writeRunReport builds report.html and summary.md of a run directory; a
// problem is reported but does not change the run's verdict.
func writeRunReport(dir string, stderr io.Writer) {
	html := filepath.Join(dir, "report.html")
	if err := reports.WriteAll(dir, html); err != nil {
		fmt.Fprintf(stderr, "load: report: %v\n", err)
		return
	}
	fmt.Fprintf(stderr, "load: report written to %s\n", html)
}
