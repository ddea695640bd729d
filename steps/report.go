package steps

import (
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// cukeFeature is one feature of godog's cucumber JSON, kept generic so that
// every field godog writes survives the merge.
type cukeFeature = map[string]any

// parseCucumber decodes godog's cucumber JSON and moves each skipped step's
// reason (its skip-reason.txt embedding) into result.error_message, through
// redact.
func parseCucumber(data []byte, redact func(string) string) ([]cukeFeature, error) {
	var feats []cukeFeature
	if len(strings.TrimSpace(string(data))) == 0 {
		return nil, nil
	}
	if err := json.Unmarshal(data, &feats); err != nil {
		return nil, fmt.Errorf("decoding godog's cucumber JSON: %w", err)
	}
	for _, f := range feats {
		for _, el := range asList(f["elements"]) {
			for _, st := range asList(el["steps"]) {
				res, _ := st["result"].(map[string]any)
				if res == nil || res["status"] != "skipped" {
					continue
				}
				var keep []any
				for _, e := range asList(st["embeddings"]) {
					if e["name"] == skipReasonName {
						if b, err := base64.StdEncoding.DecodeString(fmt.Sprint(e["data"])); err == nil {
							res["error_message"] = redact(string(b))
						}
						continue
					}
					keep = append(keep, e)
				}
				if len(keep) == 0 {
					delete(st, "embeddings")
				} else {
					st["embeddings"] = keep
				}
			}
		}
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

// Summary is conformance/summary.json (docs/outputs.md).
type Summary struct {
	Profiles    []SummaryProfile `json:"profiles"`
	ExitCode    int              `json:"exit_code"`
	Interrupted bool             `json:"interrupted,omitempty"`
	// Error is why the run stopped before any scenario ran (exit 2: bad
	// flag, profile or credentials, unreachable target), and ErrorKind its
	// class (see Abort.Kind).
	Error     string `json:"error,omitempty"`
	ErrorKind string `json:"error_kind,omitempty"`
}

// SummaryProfile is one profile's line of the summary.
type SummaryProfile struct {
	Name            string  `json:"name"`
	Target          string  `json:"target"`
	Must            Counts  `json:"must"`
	Should          Counts  `json:"should"`
	DurationSeconds float64 `json:"duration_seconds"`
}

// WriteReports writes the files of docs/outputs.md under dir:
// conformance/<profile>/{cucumber.json,junit.xml}, the merged junit.xml and
// cucumber.json, and conformance/summary.json with exitCode. Secrets never
// reach these files: transcripts are redacted when recorded.
func WriteReports(dir string, res Result, exitCode int) error {
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
	sum := Summary{ExitCode: exitCode, Interrupted: res.Interrupted, Profiles: []SummaryProfile{}}
	for _, p := range res.Profiles {
		sum.Profiles = append(sum.Profiles, SummaryProfile{Name: p.Name, Target: p.Target, Must: p.Must, Should: p.Should, DurationSeconds: p.Duration.Seconds()})
	}
	return writeJSON(filepath.Join(dir, "conformance", "summary.json"), sum)
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
	return writeJSON(filepath.Join(dir, "conformance", "summary.json"),
		Summary{Profiles: []SummaryProfile{}, ExitCode: a.ExitCode, Error: a.Message, ErrorKind: a.Kind})
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
			c.Skipped = &junitFailure{Message: s.Message}
			js.Skipped++
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
	out.tally()
	return out
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
