package depcheck

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder is a T that keeps what Check reports.
type recorder struct{ errors, fatals []string }

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.fatals = append(r.fatals, fmt.Sprintf(format, args...))
}

// TestCheckNamesEveryBrokenImport: a rule broken twice is reported twice,
// with the file and the import; test files are told apart.
func TestCheckNamesEveryBrokenImport(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.go", "package a\nimport (\n\t\"fmt\"\n\t\""+Module+"/steps\"\n)\n")
	write(t, dir, "b.go", "package a\nimport \""+Module+"/load/sub\"\n")
	write(t, dir, "a_test.go", "package a\nimport \"github.com/stretchr/testify/require\"\n")
	cases := []struct {
		description string
		allowed     func(Import) bool
		want        []string
	}{
		{"standard library only", Import.Std, []string{
			"a.go imports " + Module + "/steps: rule", "a_test.go imports github.com/stretchr/testify/require: rule",
			"b.go imports " + Module + "/load/sub: rule"}},
		{"nothing of load, package or below", func(imp Import) bool { return !imp.Of("load") }, []string{"b.go imports " + Module + "/load/sub: rule"}},
		{"nothing of the module", func(imp Import) bool { return !imp.Module() }, []string{
			"a.go imports " + Module + "/steps: rule", "b.go imports " + Module + "/load/sub: rule"}},
		{"tests may import anything", func(imp Import) bool { return imp.Test || imp.Std() }, []string{
			"a.go imports " + Module + "/steps: rule", "b.go imports " + Module + "/load/sub: rule"}},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			var r recorder
			Check(&r, dir, "rule", tc.allowed)
			if got, want := strings.Join(r.errors, "\n"), strings.Join(tc.want, "\n"); got != want || len(r.fatals) > 0 {
				t.Errorf("got\n%s\nwant\n%s\n(fatal: %v)", got, want, r.fatals)
			}
		})
	}
}

// TestCheckFailsOnAWrongDirectory: a rule checked against a directory with
// no Go file must not pass silently.
func TestCheckFailsOnAWrongDirectory(t *testing.T) {
	var r recorder
	Check(&r, t.TempDir(), "rule", Import.Std)
	if len(r.fatals) != 1 {
		t.Errorf("fatals = %v, want one", r.fatals)
	}
}

// TestOfIsAPackageNotAPrefix: "load" does not match "loader".
func TestOfIsAPackageNotAPrefix(t *testing.T) {
	if (Import{Path: Module + "/loader"}).Of("load") {
		t.Error(`Of("load") matched .../loader`)
	}
}

// TestStandardLibraryOnly: every package may use this one in its tests.
func TestStandardLibraryOnly(t *testing.T) {
	Check(t, ".", "depcheck is standard library only", Import.Std)
}

func write(t *testing.T, dir, name, src string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
}
