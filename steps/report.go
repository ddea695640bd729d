package steps

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/oauthconf/oauthconf/internal/outputs"
)

// cukeFeature is one feature of godog's cucumber JSON, kept generic so that
// every field godog writes survives the merge.
type cukeFeature = map[string]any

// parseCucumber decodes godog's cucumber JSON (outputs.ParseCucumber) and
// moves each skipped step's reason (its skip-reason.txt embedding) into
// result.error_message, through redact. The features come back generic
// (cukeFeature) for the merge.
func parseCucumber(data []byte, redact func(string) string) ([]cukeFeature, error) {
	if len(strings.TrimSpace(string(data))) == 0 {
		return nil, nil
	}
	typed, err := outputs.ParseCucumber(data)
	if err != nil {
		return nil, fmt.Errorf("decoding godog's cucumber JSON: %w", err)
	}
	outputs.MoveSkipReasons(typed, redact)
	b, err := json.Marshal(typed)
	if err != nil {
		return nil, fmt.Errorf("encoding cucumber JSON: %w", err)
	}
	var feats []cukeFeature
	if err := json.Unmarshal(b, &feats); err != nil {
		return nil, fmt.Errorf("decoding cucumber JSON: %w", err)
	}
	return feats, nil
}

func asList(v any) []map[string]any {
	arr, _ := v.([]any)
	out := make([]map[string]any, 0, len(arr))
	for _, x := range arr {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// mergeCucumber adds the features of another pass: a feature already present
// (same uri) gets the new scenarios, ordered by line.
func mergeCucumber(into, more []cukeFeature) []cukeFeature {
	for _, f := range more {
		var found cukeFeature
		for _, g := range into {
			if g["uri"] == f["uri"] {
				found = g
				break
			}
		}
		if found == nil {
			into = append(into, f)
			continue
		}
		els, _ := found["elements"].([]any)
		add, _ := f["elements"].([]any)
		els = append(els, add...)
		sort.SliceStable(els, func(i, j int) bool { return lineOf(els[i]) < lineOf(els[j]) })
		found["elements"] = els
	}
	sort.SliceStable(into, func(i, j int) bool { return fmt.Sprint(into[i]["uri"]) < fmt.Sprint(into[j]["uri"]) })
	return into
}

func lineOf(v any) float64 {
	m, _ := v.(map[string]any)
	f, _ := m["line"].(float64)
	return f
}

// WriteReports writes the files of docs/outputs.md under dir:
// conformance/<profile>/{cucumber.json,junit.xml}, the merged junit.xml and
// cucumber.json, and conformance/summary.json with exitCode. Secrets never
// reach these files: transcripts are redacted when recorded.
func WriteReports(dir string, res Result, exitCode int) error {
	return WriteRunReports(dir, res, exitCode, outputs.RunInfo{})
}

// WriteRunReports is WriteReports recording in summary.json which run it was
// (label, version, start, duration: the report's header).
func WriteRunReports(dir string, res Result, exitCode int, info outputs.RunInfo) error {
	var merged []cukeFeature
	var suites junitSuites
	for _, p := range res.Profiles {
		pdir := filepath.Join(dir, "conformance", p.Name)
		if err := os.MkdirAll(pdir, 0o755); err != nil {
			return fmt.Errorf("report dir: %w", err)
		}
		cuke := p.cucumber
		if cuke == nil {
			cuke = []cukeFeature{}
		}
		if err := writeJSON(filepath.Join(pdir, "cucumber.json"), cuke); err != nil {
			return err
		}
		ps := junitFor(p, res.Strict, hostname())
		if err := writeXML(filepath.Join(pdir, "junit.xml"), ps); err != nil {
			return err
		}
		suites.Suites = append(suites.Suites, ps.Suites...)
		for _, f := range cuke {
			g := make(cukeFeature, len(f))
			for k, v := range f {
				g[k] = v
			}
			g["uri"] = p.Name + "/" + strings.TrimPrefix(fmt.Sprint(f["uri"]), "./")
			g["id"] = p.Name + "-" + fmt.Sprint(f["id"])
			merged = append(merged, g)
		}
	}
	if merged == nil {
		merged = []cukeFeature{}
	}
	suites.Name = "oauthconf verify"
	if res.Stopped != "" {
		suites.Suites = append(suites.Suites, stoppedSuite(res.Stopped, info))
	}
	if es := expectedSuite(res); es.Tests > 0 {
		suites.Suites = append(suites.Suites, es)
	}
	suites.tally()
	if err := writeXML(filepath.Join(dir, "junit.xml"), suites); err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(dir, "cucumber.json"), merged); err != nil {
		return err
	}
	return writeJSON(filepath.Join(dir, filepath.FromSlash(outputs.SummaryPath)), SummaryOf(res, exitCode, info))
}

// SummaryOf is the content of conformance/summary.json for res, the run's
// exit code and which run it was (also what verify --format json prints).
func SummaryOf(res Result, exitCode int, info outputs.RunInfo) outputs.Summary {
	sum := outputs.Summary{RunInfo: info, ExitCode: &exitCode, Interrupted: res.Interrupted, Stopped: res.Stopped, Profiles: []outputs.SummaryProfile{},
		ExpectedFailuresFile: res.ExpectedFile, ExpectedFailures: res.Expected}
	for _, p := range res.Profiles {
		sp := outputs.SummaryProfile{
			Name: p.Name, Target: p.Target, Must: p.Must, Should: p.Should, May: p.May,
			DurationSeconds: p.Duration.Seconds(), RootCauses: p.RootCauses,
		}
		for _, sc := range p.Scenarios {
			sp.Scenarios = append(sp.Scenarios, outputs.ScenarioOutcome{
				Feature: sc.Feature, URI: sc.URI, Name: sc.Name, Level: sc.Level, Status: string(sc.Status), Message: sc.Message,
				Line: sc.Line, Expected: sc.Expected,
			})
		}
		sum.Profiles = append(sum.Profiles, sp)
	}
	return sum
}

// Abort describes a run that stopped before any scenario ran (exit 2).
type Abort struct {
	ExitCode int
	// Kind classifies the problem: usage, profile, credentials, target,
	// tags or setup (docs/outputs.md).
	Kind string
	// Name is the JUnit test case's name, naming the problem (default: the
	// message's first line); it is cut at 200 characters.
	Name string
	// Message is the whole error, already free of secrets.
	Message string
	// At is when the run stopped (JUnit's timestamp; zero: none).
	At time.Time
	// Info is which run it was, for summary.json.
	Info outputs.RunInfo
}

// WriteAbortReports records a run that stopped before any scenario ran: the
// merged junit.xml holds one errored test case naming the problem (so a CI
// pipeline publishing JUnit shows why the gate failed), cucumber.json is an
// empty list, and conformance/summary.json carries the exit code, the message
// and its kind. Other files already in dir (a load run's, say) are kept.
func WriteAbortReports(dir string, a Abort) error {
	name := a.Name
	if name == "" {
		name, _, _ = strings.Cut(a.Message, "\n")
	}
	if r := []rune(name); len(r) > 200 {
		name = string(r[:199]) + "…"
	}
	suites := abortSuites(name, a)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report dir: %w", err)
	}
	if err := writeXML(filepath.Join(dir, "junit.xml"), suites); err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(dir, "cucumber.json"), []cukeFeature{}); err != nil {
		return err
	}
	return writeJSON(filepath.Join(dir, filepath.FromSlash(outputs.SummaryPath)),
		outputs.Summary{RunInfo: a.Info, Profiles: []outputs.SummaryProfile{}, ExitCode: &a.ExitCode, Error: a.Message, ErrorKind: a.Kind})
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("report dir: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

func writeXML(path string, v any) error {
	b, err := xml.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding %s: %w", path, err)
	}
	if err := os.WriteFile(path, append([]byte(xml.Header), append(b, '\n')...), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
