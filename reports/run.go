package reports

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/oauthconf/oauthconf/internal/outputs"
)

// ErrNothingRead is wrapped by the problem Build reports when no input file at all
// could be read (the directory holds none, or every one is unreadable).
var ErrNothingRead = errors.New("no conformance or load output could be read")

// Run is everything one run directory holds. It is immutable once Build returns.
type Run struct {
	Dir      string         // the run directory, as given to Build
	Profiles []Profile      // conformance profiles, sorted by name
	Load     []LoadScenario // load scenarios, sorted by name
	Notices  []string       // "could not read FILE: reason", one per problem, for the page
	// Verify is what conformance/summary.json says about how verify ended; nil
	// without summary.json.
	Verify *VerifyEnd
	// Info is which run it was (label, version, start, duration), from
	// summary.json; the zero value without one.
	Info outputs.RunInfo
	// Capacity is load/capacity.json (load --find-capacity); nil without it.
	Capacity *outputs.Capacity
	// ExpectedFile is verify's --expected-failures file ("" without one), and
	// Expected its entries with what became of each (from summary.json).
	ExpectedFile string
	Expected     []ExpectedEntry
}

// WithLabel returns a copy of the run labelled label (report --label); an
// empty label keeps summary.json's.
func (r *Run) WithLabel(label string) *Run {
	c := *r
	if label != "" {
		c.Info.Label = Redact(label)
	}
	return &c
}

// VerifyEnd is how the verify run ended, from conformance/summary.json.
type VerifyEnd struct {
	ExitCode    *int   // nil when the file does not say
	Interrupted bool   // Ctrl-C: the counts cover only the scenarios that ran
	Stopped     string // why a run that started stopped early (--max-time reached), redacted
	Error       string // why verify stopped before any scenario ran (exit 2), redacted
	ErrorKind   string // usage, profile, credentials, target, tags or setup
}

// builder accumulates a Run and its problems.
type builder struct {
	ctx       context.Context
	dir       string
	run       *Run
	problems  []error
	attempts  int // input files found
	readFiles int // input files (at least partly) read
}

// FileError is the problem with one input file.
type FileError struct {
	Path string
	Err  error
}

func (e *FileError) Error() string { return fmt.Sprintf("could not read %s: %v", e.Path, e.Err) }
func (e *FileError) Unwrap() error { return e.Err }

func (b *builder) problem(path string, err error) {
	fe := &FileError{Path: path, Err: err}
	b.problems = append(b.problems, fe)
	// The page names files relative to the run directory, so it reads the same anywhere.
	shown := path
	if rel, err := filepath.Rel(b.dir, path); err == nil && !strings.HasPrefix(rel, "..") {
		shown = filepath.ToSlash(rel)
	}
	b.run.Notices = append(b.run.Notices, (&FileError{Path: shown, Err: err}).Error())
}

func (b *builder) attempted() { b.attempts++ }
func (b *builder) read()      { b.readFiles++ }

// Build reads the run directory inDir (see docs/outputs.md) and returns what it holds,
// with one error per file that could not be read, fully or at all (each a *FileError
// naming the file). Whatever is readable is in the Run, and every problem is also in
// Run.Notices. When nothing at all could be read, the problems include an error
// wrapping ErrNothingRead. The returned *Run is nil only if inDir is not a readable
// directory. Build stops early, returning what it has, when ctx is done.
func Build(ctx context.Context, inDir string) (*Run, []error) {
	st, err := os.Stat(inDir)
	if err != nil {
		return nil, []error{fmt.Errorf("run directory: %w", err)}
	}
	if !st.IsDir() {
		return nil, []error{fmt.Errorf("run directory %s: not a directory", inDir)}
	}
	b := &builder{ctx: ctx, dir: inDir, run: &Run{Dir: inDir}}
	b.readConformance()
	if err := ctx.Err(); err != nil {
		b.problems = append(b.problems, fmt.Errorf("report of %s interrupted: %w", inDir, err))
		return b.run, b.problems
	}
	b.readLoad()
	if err := ctx.Err(); err != nil {
		b.problems = append(b.problems, fmt.Errorf("report of %s interrupted: %w", inDir, err))
		return b.run, b.problems
	}
	if b.readFiles == 0 {
		err := fmt.Errorf("%s: %w (looked for conformance/<profile>/cucumber.json, conformance/summary.json, cucumber.json and load/<scenario>/{results.bin,report.json,latency.hgrm}; %d found)", inDir, ErrNothingRead, b.attempts)
		b.problems = append(b.problems, err)
		b.run.Notices = append(b.run.Notices, "nothing to report: "+ErrNothingRead.Error()+" (looked for conformance/<profile>/cucumber.json, conformance/summary.json, cucumber.json and load/<scenario>/{results.bin,report.json,latency.hgrm})")
	}
	return b.run, b.problems
}

// WriteAll builds the report of inDir and writes the HTML page to htmlPath (default,
// when empty: inDir/report.html) and the Markdown summary to inDir/summary.md. Both
// files are written even when some inputs were unreadable (the page shows a notice for
// each); the returned error then joins those problems. It is the one call verify and
// load make after their runs.
func WriteAll(inDir, htmlPath string) error {
	return WriteAllContext(context.Background(), inDir, htmlPath)
}

// WriteAllContext is WriteAll with a context.
func WriteAllContext(ctx context.Context, inDir, htmlPath string) error {
	run, problems := Build(ctx, inDir)
	if run == nil {
		return errors.Join(problems...)
	}
	if htmlPath == "" {
		htmlPath = filepath.Join(inDir, "report.html")
	}
	if err := writeFile(htmlPath, run.WriteHTML); err != nil {
		problems = append(problems, err)
	}
	if err := writeFile(filepath.Join(inDir, "summary.md"), run.WriteMarkdown); err != nil {
		problems = append(problems, err)
	}
	return errors.Join(problems...)
}

// writeFile writes a file atomically (temp file + rename).
func writeFile(path string, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
