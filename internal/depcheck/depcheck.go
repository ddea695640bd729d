// Package depcheck reads the imports of one package's directory, for the
// dependency-rule tests: each package states its rule as a predicate in its
// own deps_test.go (reference/imports_test.go for the reference), and Check
// reports every import that breaks it, one error each (docs/architecture.md
// lists the rules).
//
// It imports only the standard library and holds no wire code, so every
// package may use it in its tests, the reference included.
package depcheck

import (
	"fmt"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
)

// Module is this module's path, the prefix of its packages' import paths.
const Module = "github.com/oauthconf/oauthconf"

// Import is one import of one file.
type Import struct {
	File string // the file's name within the directory
	Path string // the imported package's path
	Test bool   // File is a _test.go file
}

// Std reports whether imp is of the standard library (its path's first
// element has no dot).
func (imp Import) Std() bool {
	first, _, _ := strings.Cut(imp.Path, "/")
	return !strings.Contains(first, ".")
}

// Module reports whether imp is one of this module's packages.
func (imp Import) Module() bool {
	return imp.Path == Module || strings.HasPrefix(imp.Path, Module+"/")
}

// Of reports whether imp is the module's package rel ("steps",
// "internal/redact") or one below it.
func (imp Import) Of(rel string) bool {
	p := Module + "/" + rel
	return imp.Path == p || strings.HasPrefix(imp.Path, p+"/")
}

// Imports returns every import of the .go files in dir, file by file in
// name order.
func Imports(dir string) ([]Import, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, fmt.Errorf("depcheck: %w", err)
	}
	var out []Import
	fset := token.NewFileSet()
	for _, name := range names {
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			return nil, fmt.Errorf("depcheck: %w", err)
		}
		base := filepath.Base(name)
		for _, spec := range f.Imports {
			path, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				return nil, fmt.Errorf("depcheck: %s: %w", base, err)
			}
			out = append(out, Import{File: base, Path: path, Test: strings.HasSuffix(base, "_test.go")})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("depcheck: no imports in %s (wrong directory?)", dir)
	}
	return out, nil
}

// T is the part of *testing.T that Check uses.
type T interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// Check fails t once for every import in dir that allowed rejects, naming
// the file, the import and rule (what the package may import, in words).
func Check(t T, dir, rule string, allowed func(Import) bool) {
	t.Helper()
	imps, err := Imports(dir)
	if err != nil {
		t.Fatalf("%v", err)
	}
	for _, imp := range imps {
		if !allowed(imp) {
			t.Errorf("%s imports %s: %s", imp.File, imp.Path, rule)
		}
	}
}
