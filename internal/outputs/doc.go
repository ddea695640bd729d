// Package outputs declares the files that verify and load write and that
// report reads (docs/outputs.md), once: the writers fill these types and the
// reader decodes them, so that a renamed JSON field cannot make the report
// read zeros silently.
//
//   - conformance/summary.json: [Summary] (written by steps, read by reports);
//   - cucumber.json: [CucumberFeature], godog's cucumber JSON, parsed by
//     [ParseCucumber];
//   - load/<scenario>/report.json: [LoadReport] (written by load, read by
//     reports);
//   - load/capacity.json: [Capacity] (written by load --find-capacity).
//
// The package imports only the standard library, so that reports (which reads
// files only) and the harness (steps, load) can share it; reference never
// imports it.
package outputs

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Paths of the files, relative to the run directory.
const (
	SummaryPath  = "conformance/summary.json"
	CapacityPath = "load/capacity.json"
	// LoadReportName is report.json's name inside DIR/load/<scenario>/.
	LoadReportName = "report.json"
)

// Marshal encodes v as the output files are written: indented by two spaces,
// with a final newline; escapeHTML false keeps "p99<50ms" readable.
func Marshal(v any, escapeHTML bool) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(escapeHTML)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("outputs: %w", err)
	}
	return buf.Bytes(), nil
}
