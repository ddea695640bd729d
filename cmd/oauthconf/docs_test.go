package main

import (
	"errors"
	"go.yaml.in/yaml/v3"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// repoRoot is the repository's root, from this package's directory.
const repoRoot = "../.."

// pathLike matches a slash-separated path or a bare upper-case document
// name (VENDORS.md) in prose.
var pathLike = regexp.MustCompile(`\.{0,2}/?[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.<>{}*…-]+)*/?`)

// docFiles are the documents users read: README.md, docs/*.md, the
// built-in profiles (profiles show prints them) and the feature files.
func docFiles(t *testing.T) []string {
	t.Helper()
	files := []string{filepath.Join(repoRoot, "README.md")}
	for _, glob := range []string{"docs/*.md", "profile/builtin/*.yaml", "features/*.feature"} {
		m, err := filepath.Glob(filepath.Join(repoRoot, filepath.FromSlash(glob)))
		if err != nil || len(m) == 0 {
			t.Fatalf("no %s: %v", glob, err)
		}
		files = append(files, m...)
	}
	return files
}

// otherRepo marks a line that cites another repository's files (a GitHub
// URL, "in E1's repository").
var otherRepo = regexp.MustCompile(`'s repository|github\.com/`)

// citedPaths returns the repo-relative paths text cites: the paths whose
// first segment is a top-level entry of the repository, and bare upper-case
// Markdown names. A "*" is a glob that must match. Placeholders (<profile>,
// {…}), what make run generates (reports/out/) and the paths of a line
// citing another repository are not files to find.
func citedPaths(text string, top map[string]bool) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if !otherRepo.MatchString(line) {
			out = append(out, citedOnLine(line, top)...)
		}
	}
	return out
}

// citedOnLine is citedPaths of one line.
func citedOnLine(line string, top map[string]bool) []string {
	var out []string
	for _, m := range pathLike.FindAllString(line, -1) {
		p := strings.TrimRight(strings.TrimPrefix(m, "./"), ".")
		first, _, nested := strings.Cut(strings.TrimSuffix(p, "/"), "/")
		switch {
		case strings.ContainsAny(p, "<>{}…"), strings.HasPrefix(p, "reports/out"):
		case nested && top[first]:
			out = append(out, p)
		case !nested && regexp.MustCompile(`^[A-Z][A-Z_-]+\.md$`).MatchString(p):
			out = append(out, p)
		}
	}
	return out
}

// TestDocsCiteOnlyFilesInTheRepo: every repo-relative path the README and
// docs/*.md cite exists (relative to the repository, or to the document's
// own directory), and every test they name is a test of the repository.
func TestDocsCiteOnlyFilesInTheRepo(t *testing.T) {
	entries, err := os.ReadDir(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	top := map[string]bool{}
	for _, e := range entries {
		if e.IsDir() && e.Name() != ".git" {
			top[e.Name()] = true
		}
	}
	tests := repoTestNames(t)
	for _, doc := range docFiles(t) {
		t.Run(filepath.Base(doc), func(t *testing.T) {
			data, err := os.ReadFile(doc)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range citedPaths(string(data), top) {
				if !exists(filepath.Join(repoRoot, p)) && !exists(filepath.Join(filepath.Dir(doc), p)) {
					t.Errorf("%s cites %s, which is not in the repository", filepath.Base(doc), p)
				}
			}
			for _, name := range regexp.MustCompile(`\b(?:Test|Fuzz|Benchmark)[A-Z][A-Za-z0-9]+`).FindAllString(string(data), -1) {
				if !slices.Contains(tests, name) {
					t.Errorf("%s names %s, which no test file defines", filepath.Base(doc), name)
				}
			}
		})
	}
}

// exists reports whether path names a file or directory, or, with a "*",
// whether it matches one.
func exists(path string) bool {
	if strings.Contains(path, "*") {
		m, err := filepath.Glob(path)
		return err == nil && len(m) > 0
	}
	_, err := os.Stat(path)
	return err == nil
}

// repoTestNames lists the Test, Fuzz and Benchmark functions of every test
// file of the repository.
func repoTestNames(t *testing.T) []string {
	t.Helper()
	fn := regexp.MustCompile(`(?m)^func ((?:Test|Fuzz|Benchmark)[A-Z][A-Za-z0-9]*)\(`)
	var names []string
	err := filepath.WalkDir(repoRoot, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && (d.Name() == ".git" || d.Name() == "out"):
			return filepath.SkipDir
		case d.IsDir() || !strings.HasSuffix(path, "_test.go"):
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range fn.FindAllStringSubmatch(string(b), -1) {
			names = append(names, m[1])
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return names
}

// fencedAfter returns the body of the first ```yaml block after marker in text.
func fencedAfter(t *testing.T, text, marker string) string {
	t.Helper()
	i := strings.Index(text, marker)
	if i < 0 {
		t.Fatalf("README has no %q", marker)
	}
	rest := text[i:]
	start := strings.Index(rest, "```yaml\n")
	if start < 0 {
		t.Fatalf("no yaml block after %q", marker)
	}
	body := rest[start+len("```yaml\n"):]
	end := strings.Index(body, "```")
	if end < 0 {
		t.Fatalf("unterminated yaml block after %q", marker)
	}
	return body[:end]
}

// TestReadmeInstallAndCIRecipes: the README's install line works from a
// clone (no go install …@latest of an unpublished module), its command
// count and table match the binary's commands, and its GitHub Actions and
// GitLab CI recipes are valid YAML that build from the clone, publish
// junit.xml and summary.md, pass --expected-failures, and use only flags
// verify has.
func TestReadmeInstallAndCIRecipes(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	_, out, errOut := runCLI(t.Context(), "verify", "--help")
	help := out + errOut
	ci := readme[strings.Index(readme, "### In CI"):]
	for _, w := range []string{"junit.xml agrees with the exit code", "Exit 1 fails the job", "exit 2 (configuration)"} {
		if !strings.Contains(ci, w) {
			t.Errorf("README's CI section does not say %q", w)
		}
	}
	gh := fencedAfter(t, readme, "GitHub Actions:")
	gl := fencedAfter(t, readme, "GitLab CI:")
	for _, tc := range []struct {
		description string
		recipe      string
		want        []string
	}{
		{"GitHub Actions builds from the clone, publishes junit.xml and summary.md", gh,
			[]string{"go install ./cmd/oauthconf", "--expected-failures", "out/junit.xml", `out/summary.md >> "$GITHUB_STEP_SUMMARY"`, "if: always()"}},
		{"GitLab CI builds from the clone, publishes junit.xml and summary.md", gl,
			[]string{"go install ./cmd/oauthconf", "--expected-failures", "junit: out/junit.xml", "out/summary.md", "when: always"}},
	} {
		t.Run(tc.description, func(t *testing.T) {
			var v map[string]any
			if err := yaml.Unmarshal([]byte(tc.recipe), &v); err != nil || len(v) == 0 {
				t.Fatalf("the recipe is not YAML (%v):\n%s", err, tc.recipe)
			}
			for _, w := range tc.want {
				if !strings.Contains(tc.recipe, w) {
					t.Errorf("the recipe lacks %q", w)
				}
			}
			for _, flag := range regexp.MustCompile(`\s(--[a-z-]+)`).FindAllStringSubmatch(tc.recipe, -1) {
				if !strings.Contains(help, flag[1]+" ") {
					t.Errorf("the recipe passes %s, which verify does not have", flag[1])
				}
			}
		})
	}
	t.Run("the install line works from a clone", func(t *testing.T) {
		if !strings.Contains(readme, "`go install ./cmd/oauthconf`") {
			t.Error("README does not give `go install ./cmd/oauthconf`")
		}
		if regexp.MustCompile(`(?m)^\s*(?:- run: )?go install github\.com/`).MatchString(readme) {
			t.Error("README tells to go install the unpublished module by its path")
		}
		if !exists(filepath.Join(repoRoot, "cmd", "oauthconf", "main.go")) {
			t.Error("./cmd/oauthconf has no main.go")
		}
	})
	t.Run("the README's commands are the binary's", func(t *testing.T) {
		// The pattern holds backquotes, so it cannot be a raw string.
		rows := regexp.MustCompile("(?m)^\\| `oauthconf ([a-z]+)` \\|").FindAllStringSubmatch(readme, -1)
		words := []string{"", "one", "two", "three", "four", "five", "six", "seven"}
		if len(rows) >= len(words) || !strings.Contains(readme, "one Go binary with "+words[len(rows)]+" commands") {
			t.Errorf("README's table lists %d commands, not the number its first sentence says", len(rows))
		}
		for _, r := range rows {
			if code, _, errOut := runCLI(t.Context(), r[1], "--help"); code != 0 {
				t.Errorf("oauthconf %s --help: exit %d: %s", r[1], code, errOut)
			}
		}
	})
}
