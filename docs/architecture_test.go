// Package docs holds no code: its test keeps docs/architecture.md true to
// the tree.
package docs

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// codeSpan is a backticked span without white space (a command is not a
// path).
var codeSpan = regexp.MustCompile("`([^`\\s]+)`")

// citedPaths returns the repository paths cited in backticks in md: spans
// with a "/" that are neither URLs, absolute URL paths (/_test/clock) nor
// import paths of other modules (github.com/…); a trailing "/" (a
// directory) is dropped. A "*" is a glob.
func citedPaths(md string) []string {
	var out []string
	for _, m := range codeSpan.FindAllStringSubmatch(md, -1) {
		p := strings.TrimPrefix(m[1], "./")
		first, _, hasSlash := strings.Cut(p, "/")
		if !hasSlash || strings.HasPrefix(p, "/") || strings.Contains(first, ".") || strings.Contains(p, "://") {
			continue
		}
		out = append(out, strings.TrimSuffix(p, "/"))
	}
	return out
}

// missing returns the paths of cited that match nothing below root.
func missing(root string, cited []string) []string {
	var out []string
	for _, p := range cited {
		if m, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(p))); err != nil || len(m) == 0 {
			out = append(out, p)
		}
	}
	return out
}

// TestArchitectureCitesOnlyPathsThatExist: a moved or renamed file makes
// docs/architecture.md fail here, not mislead a newcomer.
func TestArchitectureCitesOnlyPathsThatExist(t *testing.T) {
	md, err := os.ReadFile("architecture.md")
	if err != nil {
		t.Fatal(err)
	}
	cited := citedPaths(string(md))
	if len(cited) < 50 {
		t.Fatalf("found %d cited paths, want the map's 50 or more: is citedPaths broken?", len(cited))
	}
	for _, p := range missing("..", cited) {
		t.Errorf("docs/architecture.md cites `%s`, which does not exist", p)
	}
}

func TestCitedPaths(t *testing.T) {
	cases := []struct {
		description, md string
		want            []string
	}{
		{"a file", "see `steps/levels.go`.", []string{"steps/levels.go"}},
		{"a directory loses its slash", "`internal/redact/`", []string{"internal/redact"}},
		{"a glob", "`reference/grant_*.go`", []string{"reference/grant_*.go"}},
		{"a leading ./ is dropped", "`./cmd/oauthconf`", []string{"cmd/oauthconf"}},
		{"a command is not a path", "`go test ./steps -run TestDefects`", nil},
		{"an import path of another module is not", "`github.com/tsenart/vegeta/v12/lib`", nil},
		{"an URL path is not", "`/_test/clock`", nil},
		{"a name without a slash is not", "`profile.NewTokenRequest`", nil},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			if got := citedPaths(tc.md); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestMissingNamesWhatDoesNotExist: the check can fail.
func TestMissingNamesWhatDoesNotExist(t *testing.T) {
	got := missing("..", []string{"steps/levels.go", "steps/no_such_file.go", "reference/grant_*.go", "nowhere/*.go"})
	if want := []string{"steps/no_such_file.go", "nowhere/*.go"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
