package steps

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

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
		ps := junitFor(p, res.Strict)
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
	suites.tally()
	if err := writeXML(filepath.Join(dir, "junit.xml"), suites); err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(dir, "cucumber.json"), merged); err != nil {
		return err
	}
	sum := outputs.Summary{RunInfo: info, ExitCode: &exitCode, Interrupted: res.Interrupted, Profiles: []outputs.SummaryProfile{}}
	for _, p := range res.Profiles {
		sp := outputs.SummaryProfile{
			Name: p.Name, Target: p.Target, Must: p.Must, Should: p.Should,
			DurationSeconds: p.Duration.Seconds(), RootCauses: p.RootCauses,
		}
		for _, sc := range p.Scenarios {
			sp.Scenarios = append(sp.Scenarios, outputs.ScenarioOutcome{
				Feature: sc.Feature, URI: sc.URI, Name: sc.Name, Level: sc.Level, Status: string(sc.Status), Message: sc.Message,
			})
		}
		sum.Profiles = append(sum.Profiles, sp)
	}
	return writeJSON(filepath.Join(dir, filepath.FromSlash(outputs.SummaryPath)), sum)
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
	suites := junitSuites{Name: "oauthconf verify", Suites: []junitSuite{{
		Name: "oauthconf verify", Tests: 1, Errors: 1, Time: "0.000",
		Cases: []junitCase{{
			Name: name, Classname: "oauthconf verify", Status: "error", Time: "0.000",
			Error: &junitFailure{Message: a.Message, Type: "configuration", Body: a.Message},
		}},
	}}}
	suites.tally()
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

// JUnit XML, in the shape godog's junit formatter writes.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
	seconds  float64
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
	seconds  float64
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Status    string        `xml:"status,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Error     *junitFailure `xml:"error,omitempty"`
	Skipped   *junitFailure `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Body    string `xml:",chardata"`
}

func junitFor(p *ProfileResult, strict bool) junitSuites {
	byFeature := map[string]*junitSuite{}
	var order []string
	for _, s := range p.Scenarios {
		name := p.Name + ": " + s.Feature
		js := byFeature[name]
		if js == nil {
			js = &junitSuite{Name: name}
			byFeature[name] = js
			order = append(order, name)
		}
		c := junitCase{Name: s.Name, Classname: name, Status: string(s.Status), Time: fmt.Sprintf("%.3f", s.Duration.Seconds())}
		switch s.Status {
		case StatusFailed:
			typ := s.Level
			if s.Level == "should" && !strict {
				typ = "should (warning)"
			}
			c.Failure = &junitFailure{Message: s.Message, Type: typ, Body: s.Transcript}
			js.Failures++
		case StatusSkipped:
			c.Skipped = &junitFailure{Message: "not applicable: " + s.Message}
			js.Skipped++
		case StatusNotTested:
			c.Skipped = &junitFailure{Message: s.Message, Body: s.Transcript}
			js.Skipped++
		case StatusError:
			c.Error = &junitFailure{Message: s.Message, Type: "harness error", Body: s.Transcript}
			js.Errors++
		}
		c.SystemOut = strings.Join(s.Tags, " ")
		js.Tests++
		js.seconds += s.Duration.Seconds()
		js.Cases = append(js.Cases, c)
	}
	out := junitSuites{Name: "oauthconf verify " + p.Name}
	for _, n := range order {
		js := byFeature[n]
		js.Time = fmt.Sprintf("%.3f", js.seconds)
		out.Suites = append(out.Suites, *js)
	}
	if fs := findingsSuite(p, strict); fs.Tests > 0 {
		out.Suites = append(out.Suites, fs)
	}
	out.tally()
	return out
}

// findingsSuite has one test case per finding raised beside a scenario's
// rule (one root cause, however many scenarios show it).
func findingsSuite(p *ProfileResult, strict bool) junitSuite {
	js := junitSuite{Name: p.Name + ": findings", Time: "0.000"}
	for _, rc := range p.RootCauses {
		if !rc.Finding {
			continue
		}
		c := junitCase{Name: rc.Rule + ": " + rc.Cause, Classname: js.Name, Status: "failed", Time: "0.000",
			SystemOut: "scenarios: " + strings.Join(rc.Scenarios, "; ")}
		typ := rc.Level
		if rc.Level == "should" && !strict {
			typ = "should (warning)"
		}
		c.Failure = &junitFailure{Message: rc.Cause, Type: typ, Body: strings.Join(rc.Scenarios, "\n")}
		js.Failures++
		js.Tests++
		js.Cases = append(js.Cases, c)
	}
	return js
}

func (j *junitSuites) tally() {
	j.Tests, j.Skipped, j.Failures, j.Errors, j.seconds = 0, 0, 0, 0, 0
	for _, s := range j.Suites {
		j.Tests += s.Tests
		j.Skipped += s.Skipped
		j.Failures += s.Failures
		j.Errors += s.Errors
		j.seconds += s.seconds
	}
	j.Time = fmt.Sprintf("%.3f", j.seconds)
}
