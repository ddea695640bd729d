// Command oauthconf is a conformance and load testing harness for OAuth 2.0 token
// endpoints. Subcommands: serve (the reference authorization server), verify (the
// Gherkin conformance suite), load (vegeta load scenarios) and report (HTML and
// Markdown reports from the files verify and load wrote).
//
// Exit codes: 0 success; 1 a check failed (a MUST scenario, or an SLO); 2 usage or
// configuration error.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit codes, as documented in the README.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

// version is stamped by the Makefile with -ldflags "-X main.version=…".
var version = "dev"

// buildVersion is the stamped version, else what the Go toolchain recorded
// in the binary (versionFrom).
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	return versionFrom(version, bi)
}

// versionFrom is stamped when -ldflags set main.version; else the main
// module's version that `go install …@v1.2.3` records; else, for a build
// from a checkout (`go install ./cmd/oauthconf`), "(devel) " and the first
// 7 characters of vcs.revision, "-dirty" when vcs.modified; else "dev".
func versionFrom(stamped string, bi *debug.BuildInfo) string {
	if stamped != "dev" && stamped != "" {
		return stamped
	}
	if bi == nil {
		return "dev"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, dirty string
	for _, s := range bi.Settings {
		switch {
		case s.Key == "vcs.revision":
			rev = s.Value
		case s.Key == "vcs.modified" && s.Value == "true":
			dirty = "-dirty"
		}
	}
	if rev == "" {
		return "dev"
	}
	return "(devel) " + rev[:min(7, len(rev))] + dirty
}

// exitError carries an exit code through cobra's error return.
type exitError struct {
	code int
	err  error
	// recorded means the reports already hold the outcome (verify's run
	// deadline): an exit-2 error that must not overwrite them.
	recorded bool
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageError marks err as a usage or configuration error (exit 2).
func usageError(err error) error { return &exitError{code: exitUsage, err: err} }

// recordedUsageError is an exit-2 error whose reports are already written
// (verify's --max-time): recordVerifyAbort leaves them as they are.
func recordedUsageError(err error) error {
	return &exitError{code: exitUsage, err: err, recorded: true}
}

// failedError marks err as a failed check (exit 1).
func failedError(err error) error { return &exitError{code: exitFailed, err: err} }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes the command line args and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRootCmd(stdout, stderr)
	root.SetArgs(args)
	code, err := exitCodeOf(root.ExecuteContext(ctx))
	if err != nil && err.Error() != "" {
		fmt.Fprintln(stderr, "oauthconf:", err)
	}
	return code
}

// exitCodeOf maps a command's error to the process exit code, and the error
// to print. Errors cobra itself raises (unknown flag or command, bad flag
// value) are usage errors.
func exitCodeOf(err error) (int, error) {
	if err == nil {
		return exitOK, nil
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code, ee.err
	}
	return exitUsage, err
}

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "oauthconf",
		Short: "Conformance and load testing harness for OAuth 2.0 token endpoints",
		Long: `oauthconf proves that an OAuth 2.0 authorization server does what its documentation
says, and measures how fast it issues tokens.

  oauthconf serve    run the bundled reference authorization server
  oauthconf verify   run the Gherkin conformance suite against a server
  oauthconf load     stress a token endpoint with vegeta scenarios
  oauthconf report   build the HTML and Markdown report from a run's files
  oauthconf profiles list the built-in target profiles, or print one

Exit codes: 0 success, 1 a check failed, 2 usage or configuration error.`,
		Version:       buildVersion(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		// run prefixes "oauthconf: "; the subcommand's name follows.
		if !c.HasParent() {
			return usageError(fmt.Errorf("%w (see %s --help)", err, c.CommandPath()))
		}
		name := strings.TrimPrefix(c.CommandPath(), c.Root().Name()+" ")
		return usageError(fmt.Errorf("%s: %w (see %s --help)", name, err, c.CommandPath()))
	})
	root.AddCommand(newServeCmd(), newVerifyCmd(), newLoadCmd(), newReportCmd(), newProfilesCmd())
	return root
}
