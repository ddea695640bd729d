package outputs_test

import (
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/oauthconf/oauthconf/internal/outputs"
	"github.com/oauthconf/oauthconf/reports"
)

// jsonKeys returns every JSON key of t's fields, nested structs (through
// pointers, slices and maps) included, as "Type.key".
// Types of the package skip are not entered (documented elsewhere).
func jsonKeys(t reflect.Type, seen map[reflect.Type]bool, skip string) []string {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] || t.PkgPath() == "time" || t.PkgPath() == skip {
		return nil
	}
	seen[t] = true
	var keys []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if f.Anonymous && name == "" {
			keys = append(keys, jsonKeys(f.Type, seen, skip)...)
			continue
		}
		if name == "" {
			name = f.Name
		}
		keys = append(keys, t.Name()+"."+name)
		keys = append(keys, jsonKeys(f.Type, seen, skip)...)
	}
	return keys
}

// TestOutputsDocCoversEveryField: docs/outputs.md names every JSON key of
// every output file in that file's section, so that a field added to
// internal/outputs (or to report --json) is documented where users look.
func TestOutputsDocCoversEveryField(t *testing.T) {
	data, err := os.ReadFile("../../docs/outputs.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	section := func(from, to string) string {
		i, j := strings.Index(doc, from), strings.Index(doc, to)
		if i < 0 || j < i {
			t.Fatalf("docs/outputs.md has no section %q before %q", from, to)
		}
		return doc[i:j]
	}
	for _, tc := range []struct {
		description string
		value       any
		section     string
		skip        string // the package whose types another file's section documents
	}{
		{"conformance/summary.json", outputs.Summary{}, section("## Conformance", "## Load"), ""},
		{"load/<scenario>/report.json", outputs.LoadReport{}, section("## Load", "## Report"), ""},
		{"load/capacity.json", outputs.Capacity{}, section("## Load", "## Report"), ""},
		// report --json embeds capacity.json, the SLO verdict, the counts and the expected-failures entries as those files have them.
		{"report --json", reports.Summary{}, doc[strings.Index(doc, "## Report"):], "github.com/oauthconf/oauthconf/internal/outputs"},
	} {
		t.Run(tc.description, func(t *testing.T) {
			keys := jsonKeys(reflect.TypeOf(tc.value), map[reflect.Type]bool{}, tc.skip)
			if len(keys) == 0 {
				t.Fatal("no keys found")
			}
			var missing []string
			for _, k := range keys {
				_, name, _ := strings.Cut(k, ".")
				if !strings.Contains(tc.section, `"`+name+`"`) && !strings.Contains(tc.section, "`"+name+"`") {
					missing = append(missing, k)
				}
			}
			slices.Sort(missing)
			if len(missing) > 0 {
				t.Errorf("docs/outputs.md does not name these keys of %s (as \"key\" or `key`): %s", tc.description, strings.Join(missing, ", "))
			}
		})
	}
}
