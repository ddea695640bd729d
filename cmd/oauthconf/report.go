package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/oauthconf/oauthconf/reports"
	"github.com/spf13/cobra"
)

type reportOptions struct {
	in       string
	out      string
	markdown string
	jsonOut  string
	label    string
}

func newReportCmd() *cobra.Command {
	var o reportOptions
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Build the HTML and Markdown report from a run directory's files",
		Long: `Build one self-contained HTML page (no network fetches; open it from disk) and a
Markdown summary for CI job summaries from the files that "oauthconf verify
--report-dir DIR" and "oauthconf load --out DIR" wrote (see docs/outputs.md).

The page shows the conformance matrix (profiles × features, each scenario expandable
to its steps, requirement tags and, for failures, the redacted HTTP exchange), the
headline "N of M MUST checks pass for profile X", and for each load scenario and step
the latency over time, the HDR latency distribution, throughput and error rate over
time, and the SLO verdict.

  oauthconf report --in reports/out
  oauthconf report --in out --out /tmp/report.html --markdown -

Unreadable, truncated or malformed input files are named on stderr and in the page
("could not read FILE: reason"); everything readable is still reported.

Exit codes: 0 the report was written (even if some input files were unreadable, or the
run it describes failed: the verdict is the job of verify and load); 1 nothing at all
could be read from --in, or the report could not be written; 2 usage error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runReport(cmd, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.in, "in", "", "run directory to read (the --report-dir of verify, the --out of load; required)")
	f.StringVar(&o.out, "out", "", "HTML report to write (default: IN/report.html)")
	f.StringVar(&o.markdown, "markdown", "", `Markdown summary to write (default: IN/summary.md; "-" for stdout)`)
	f.StringVar(&o.label, "label", "", `name of the run in the report's header (default: verify --label, from conformance/summary.json)`)
	f.StringVar(&o.jsonOut, "json", "", `also write the headline numbers as JSON to this file ("-" for stdout)`)
	return cmd
}

func runReport(cmd *cobra.Command, o reportOptions) error {
	if o.in == "" {
		return usageError(errors.New("report: --in DIR is required (the directory verify or load wrote)"))
	}
	st, err := os.Stat(o.in)
	if err != nil {
		return usageError(fmt.Errorf("report: --in: %w", err))
	}
	if !st.IsDir() {
		return usageError(fmt.Errorf("report: --in %s is not a directory", o.in))
	}
	if o.out == "" {
		o.out = filepath.Join(o.in, "report.html")
	}
	if o.markdown == "" {
		o.markdown = filepath.Join(o.in, "summary.md")
	}
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()

	run, problems := reports.Build(cmd.Context(), o.in)
	if run == nil {
		return failedError(fmt.Errorf("report: %w", errors.Join(problems...)))
	}
	run = run.WithLabel(o.label)
	nothing := false
	for _, p := range problems {
		if errors.Is(p, reports.ErrNothingRead) {
			nothing = true
			continue
		}
		fmt.Fprintln(stderr, "oauthconf report:", p)
	}
	if err := cmd.Context().Err(); err != nil {
		return failedError(fmt.Errorf("report: interrupted: %w", err))
	}
	if err := writeOutput(o.out, stdout, run.WriteHTML); err != nil {
		return failedError(err)
	}
	if err := writeOutput(o.markdown, stdout, run.WriteMarkdown); err != nil {
		return failedError(err)
	}
	if o.jsonOut != "" {
		if err := writeOutput(o.jsonOut, stdout, run.WriteJSON); err != nil {
			return failedError(err)
		}
	}
	if nothing {
		return failedError(fmt.Errorf("report: nothing to report in %s: %w (report written to %s anyway)", o.in, reports.ErrNothingRead, o.out))
	}
	if o.out != "-" {
		fmt.Fprintf(stderr, "oauthconf report: wrote %s", o.out)
		if o.markdown != "-" {
			fmt.Fprintf(stderr, " and %s", o.markdown)
		}
		fmt.Fprintln(stderr)
	}
	return nil
}

// writeOutput writes to path, or to stdout when path is "-".
func writeOutput(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "-" {
		return write(stdout)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	return nil
}
