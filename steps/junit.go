package steps

import (
	"encoding/xml"
	"fmt"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/oauthconf/oauthconf/profile"
)

// JUnit XML valid against the Jenkins xunit plugin's junit-10.xsd
// (steps/testdata/junit-10.xsd, TestJUnitSchema). It agrees with the exit
// code: a failure that does not gate (a SHOULD scenario or finding without
// --strict, an expected failure) is a passed test case whose system-out
// starts with the warning; only what fails the run is a <failure>.
//
// junit-10.xsd has no <properties> inside <testcase>: each suite carries
// the profile's properties (profile, target, strict, expected failures),
// each test case its file and line as attributes and its own properties
// (profile, target, rule, tags, level, file:line, expected failure) as
// "name: value" lines at the top of its system-out.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
	seconds  float64
}

type junitSuite struct {
	Name       string           `xml:"name,attr"`
	Tests      int              `xml:"tests,attr"`
	Skipped    int              `xml:"skipped,attr"`
	Failures   int              `xml:"failures,attr"`
	Errors     int              `xml:"errors,attr"`
	Time       string           `xml:"time,attr"`
	Timestamp  string           `xml:"timestamp,attr,omitempty"`
	Hostname   string           `xml:"hostname,attr,omitempty"`
	File       string           `xml:"file,attr,omitempty"`
	Properties *junitProperties `xml:"properties,omitempty"`
	Cases      []junitCase      `xml:"testcase"`
	seconds    float64
}

type junitProperties struct {
	Props []junitProperty `xml:"property"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Status    string        `xml:"status,attr"`
	Time      string        `xml:"time,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      string        `xml:"line,attr,omitempty"`
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

// junitTime is JUnit's timestamp: ISO 8601 in UTC without a zone ("" for
// the zero time).
func junitTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05")
}

// hostname is the machine's name for JUnit ("" if unknown).
func hostname() string {
	h, _ := os.Hostname()
	return h
}

// featureFile is a scenario's feature file as the repository names it.
func featureFile(uri string) string {
	return path.Join("features", strings.TrimPrefix(uri, "./"))
}

// suiteProps are the properties every suite of profile p carries.
func suiteProps(p *ProfileResult, strict bool) *junitProperties {
	return &junitProperties{Props: []junitProperty{
		{"profile", p.Name}, {"target", p.Target}, {"strict", strconv.FormatBool(strict)},
	}}
}

func junitFor(p *ProfileResult, strict bool, host string) junitSuites {
	byFeature := map[string]*junitSuite{}
	var order []string
	for _, s := range p.Scenarios {
		name := p.Name + ": " + s.Feature
		js := byFeature[name]
		if js == nil {
			js = &junitSuite{Name: name, Timestamp: junitTime(p.Started), Hostname: host, File: featureFile(s.URI), Properties: suiteProps(p, strict)}
			byFeature[name] = js
			order = append(order, name)
		}
		c := scenarioCase(p, s, strict)
		c.Classname = name
		js.add(c)
		js.seconds += s.Duration.Seconds()
	}
	out := junitSuites{Name: "oauthconf verify " + p.Name}
	for _, n := range order {
		js := byFeature[n]
		js.Time = fmt.Sprintf("%.3f", js.seconds)
		out.Suites = append(out.Suites, *js)
	}
	if fs := findingsSuite(p, strict, host); fs.Tests > 0 {
		out.Suites = append(out.Suites, fs)
	}
	out.tally()
	return out
}

// add appends c and counts it.
func (js *junitSuite) add(c junitCase) {
	js.Tests++
	switch {
	case c.Failure != nil:
		js.Failures++
	case c.Error != nil:
		js.Errors++
	case c.Skipped != nil:
		js.Skipped++
	}
	js.Cases = append(js.Cases, c)
}

// gates reports whether a failure of level, with the expectation e, fails
// the run (Result.Failed).
func gates(level string, e *Expectation, strict bool) bool {
	return !e.Holds() && LevelGates(level, strict)
}

// scenarioCase is one scenario's test case.
func scenarioCase(p *ProfileResult, s *ScenarioResult, strict bool) junitCase {
	c := junitCase{Name: s.Name, Status: string(s.Status), Time: fmt.Sprintf("%.3f", s.Duration.Seconds()), File: featureFile(s.URI)}
	if s.Line > 0 {
		c.Line = strconv.Itoa(s.Line)
	}
	var head []string
	switch s.Status {
	case StatusFailed:
		if gates(s.Level, s.Expected, strict) {
			c.Failure = &junitFailure{Message: s.Message, Type: s.Level, Body: s.Transcript}
			if s.Expected != nil {
				c.Failure.Message = expectedNote(s.Expected) + "; " + s.Message
			}
			break
		}
		c.Status = string(StatusPassed)
		head = append(head, "WARNING (not gating: "+nonGatingWhy(s.Level, s.Expected)+"): "+s.Message)
	case StatusSkipped:
		c.Skipped = &junitFailure{Message: "not applicable: " + s.Message}
	case StatusNotTested:
		c.Skipped = &junitFailure{Message: s.Message, Body: s.Transcript}
	case StatusError:
		c.Error = &junitFailure{Message: s.Message, Type: "harness error", Body: s.Transcript}
	}
	head = append(head, caseProps(p, s)...)
	c.SystemOut = strings.Join(head, "\n") + "\n"
	if c.Failure == nil && s.Status == StatusFailed && s.Transcript != "" {
		c.SystemOut += "\n" + s.Transcript
	}
	return c
}

// nonGatingWhy says why a failure does not fail the run.
func nonGatingWhy(level string, e *Expectation) string {
	if e.Holds() {
		return expectedNote(e)
	}
	if level == profile.LevelShould {
		return "a SHOULD requirement, gating only with --strict"
	}
	if level == profile.LevelMay {
		return "a MAY: optional feature absent or deviating, never gating"
	}
	return "level " + level
}

// caseProps are a scenario's properties as "name: value" lines.
func caseProps(p *ProfileResult, s *ScenarioResult) []string {
	loc := featureFile(s.URI)
	if s.Line > 0 {
		loc += ":" + strconv.Itoa(s.Line)
	}
	lines := []string{
		"profile: " + p.Name, "target: " + p.Target, "rule: " + ruleOf(s.Tags),
		"tags: " + strings.Join(s.Tags, " "), "level: " + s.Level, "file: " + loc,
	}
	if s.Expected != nil {
		lines = append(lines, fmt.Sprintf("expected_failure: %s (line %d)", expectedNote(s.Expected), s.Expected.Line))
	}
	return lines
}

// findingsSuite has one test case per finding raised beside a scenario's
// rule (one root cause, however many scenarios show it); a finding that
// does not gate is a passed case carrying the warning.
func findingsSuite(p *ProfileResult, strict bool, host string) junitSuite {
	js := junitSuite{Name: p.Name + ": findings", Time: "0.000", Timestamp: junitTime(p.Started), Hostname: host, Properties: suiteProps(p, strict)}
	for _, rc := range p.RootCauses {
		if !rc.Finding {
			continue
		}
		c := junitCase{Name: rc.Rule + ": " + rc.Cause, Classname: js.Name, Status: string(StatusFailed), Time: "0.000"}
		props := []string{"profile: " + p.Name, "target: " + p.Target, "rule: " + rc.Rule, "level: " + rc.Level,
			"scenarios: " + strings.Join(rc.Scenarios, "; ")}
		if rc.Expected != nil {
			props = append(props, fmt.Sprintf("expected_failure: %s (line %d)", expectedNote(rc.Expected), rc.Expected.Line))
		}
		if gates(rc.Level, rc.Expected, strict) {
			c.Failure = &junitFailure{Message: rc.Cause, Type: rc.Level, Body: strings.Join(rc.Scenarios, "\n")}
		} else {
			c.Status = string(StatusPassed)
			props = append([]string{"WARNING (not gating: " + nonGatingWhy(rc.Level, rc.Expected) + "): " + rc.Cause}, props...)
		}
		c.SystemOut = strings.Join(props, "\n") + "\n"
		js.add(c)
	}
	return js
}

// expectedSuite has one test case per expected-failures entry: a <failure>
// when the entry gates (expired, or passed under --strict).
func expectedSuite(res Result) junitSuite {
	js := junitSuite{Name: "expected failures", Time: "0.000", File: res.ExpectedFile}
	if res.ExpectedFile != "" {
		js.Properties = &junitProperties{Props: []junitProperty{{"expected_failures", res.ExpectedFile}}}
	}
	for _, e := range res.Expected {
		name := "@" + e.Rule
		if e.Scenario != "" {
			name += " / " + e.Scenario
		}
		if e.Profile != "" {
			name = e.Profile + ": " + name
		}
		c := junitCase{Name: name, Classname: js.Name, Status: e.Outcome, Time: "0.000", File: res.ExpectedFile, Line: strconv.Itoa(e.Line)}
		if e.Gating {
			c.Failure = &junitFailure{Message: e.Message, Type: e.Outcome}
		}
		c.SystemOut = fmt.Sprintf("%s\nrule: %s\nreason: %s\nexpires: %s\nscenarios: %s\n",
			e.Message, e.Rule, e.Reason, e.Expires, strings.Join(e.Scenarios, "; "))
		js.add(c)
	}
	return js
}

// abortSuites is the JUnit record of a run that stopped before any scenario
// ran: one errored test case named name.
func abortSuites(name string, a Abort) junitSuites {
	js := junitSuite{Name: "oauthconf verify", Time: "0.000", Timestamp: junitTime(a.At), Hostname: hostname()}
	js.add(junitCase{
		Name: name, Classname: "oauthconf verify", Status: "error", Time: "0.000",
		Error: &junitFailure{Message: a.Message, Type: "configuration", Body: a.Message},
	})
	suites := junitSuites{Name: "oauthconf verify", Suites: []junitSuite{js}}
	suites.tally()
	return suites
}

func (j *junitSuites) tally() {
	j.Tests, j.Failures, j.Errors, j.seconds = 0, 0, 0, 0
	for _, s := range j.Suites {
		j.Tests += s.Tests
		j.Failures += s.Failures
		j.Errors += s.Errors
		j.seconds += s.seconds
	}
	j.Time = fmt.Sprintf("%.3f", j.seconds)
}
