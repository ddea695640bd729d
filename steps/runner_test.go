package steps

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/oauthconf/oauthconf/features"
	"github.com/oauthconf/oauthconf/profile"
)

// TestSkipReasonsAreShownAndRedacted: `verify -v` prints each skipped
// scenario with its reason; without -v only the per-profile counts. A reason
// goes through the same redaction as failure messages, on the skip line, in
// the result, the skip tally and the cucumber JSON (result.error_message).
func TestSkipReasonsAreShownAndRedacted(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	t.Cleanup(ts.Close)
	// A step argument that happens to be the client secret reaches the skip
	// reason ("profile fake has no "…" resource").
	feats := fstest.MapFS{"skip.feature": {Data: []byte(`Feature: Skips

  @must
  Scenario: A resource the profile lacks
    Given the profile has a "fake-secret-value" resource
`)}}
	for _, verbose := range []bool{true, false} {
		p, creds := fakeProfile(t)
		var out bytes.Buffer
		res, err := Run(t.Context(), Options{BaseURL: ts.URL, Profile: p, Credentials: creds, Features: feats, Output: &out, Verbose: verbose})
		if err != nil {
			t.Fatal(err)
		}
		if err := WriteText(&out, res, verbose); err != nil {
			t.Fatal(err)
		}
		got := out.String()
		if strings.Contains(got, "fake-secret-value") {
			t.Errorf("verbose=%v: the secret reached the output:\n%s", verbose, got)
		}
		const line = `skip [fake] Skips / A resource the profile lacks — profile fake has no "[REDACTED]" resource`
		if verbose != strings.Contains(got, line) {
			t.Errorf("verbose=%v: want the line %q only with -v, output:\n%s", verbose, line, got)
		}
		if !strings.Contains(got, "MUST: 0 passed, 0 failed, 0 not tested, 1 not applicable") {
			t.Errorf("verbose=%v: no skip count in:\n%s", verbose, got)
		}
		sc := res.Scenarios()
		if len(sc) != 1 || sc[0].Status != StatusSkipped || strings.Contains(sc[0].Message, "fake-secret-value") || !strings.Contains(sc[0].Message, "has no") {
			t.Errorf("verbose=%v: scenarios = %+v, want one skipped with a redacted reason", verbose, sc)
		}
		var msgs []string
		for _, f := range res.Profiles[0].cucumber {
			for _, el := range asList(f["elements"]) {
				for _, st := range asList(el["steps"]) {
					if r, _ := st["result"].(map[string]any); r != nil && r["error_message"] != nil {
						msgs = append(msgs, r["error_message"].(string))
					}
				}
			}
		}
		b, _ := json.Marshal(msgs)
		if len(msgs) != 1 || strings.Contains(string(b), "fake-secret-value") || !strings.Contains(string(b), "[REDACTED]") {
			t.Errorf("verbose=%v: cucumber error_message = %s, want the reason, redacted", verbose, b)
		}
	}
}

// TestRedactReasonKeepsTheProfileName: the profile's name is on every line, so
// a secret that equals it (the demo Shopware password) is not hidden in the
// words "profile <name>", only everywhere else.
func TestRedactReasonKeepsTheProfileName(t *testing.T) {
	red := newRedactor(profile.NewCredentials(map[string]string{"password": "shopware"}, "password"))
	got := redactReason(&red, "shopware", `profile shopware has no "shopware" resource`)
	if want := `profile shopware has no "[REDACTED]" resource`; got != want {
		t.Fatalf("redactReason = %q, want %q", got, want)
	}
}

func TestValidateTags(t *testing.T) {
	cases := []struct {
		description string
		expr        string
		wantErr     string
	}{
		{"empty selects everything", "", ""},
		{"one tag", "@must", ""},
		{"and, or, not", "@must && ~@slow, @should && @rfc6749-5.2", ""},
		{"a dangling &&", "@must &&", "an empty term"},
		{"a lone &&", "&&", "an empty term"},
		{"a lone comma", ",", "an empty term"},
		{"a doubled &&", "@a && && @b", "an empty term"},
		{"a name without @, as godog takes it", "must && ~slow", ""},
		{"a lone @", "@", `"@" is not a tag`},
		{"cucumber's not syntax", "not @slow", `"not @slow" is not a tag`},
		{"parentheses", "(@a,@b)", "is not a tag"},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			err := ValidateTags(tc.expr)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("want ok, got %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("want an error containing %q, got %v", tc.wantErr, err)
			}
		})
	}
}

// TestFeaturesUseOnlyKnownResources keeps profile.ResourceNames, which
// profiles are checked against, in step with the names the features call.
func TestFeaturesUseOnlyKnownResources(t *testing.T) {
	re := regexp.MustCompile(`"([a-z_]+)" resource`)
	used := map[string]bool{}
	err := fs.WalkDir(features.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".feature") {
			return err
		}
		b, err := fs.ReadFile(features.FS, p)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	known := profile.ResourceNames()
	for name := range used {
		if !slices.Contains(known, name) {
			t.Errorf("features call resource %q, which profile.ResourceNames lacks", name)
		}
	}
	for _, name := range known {
		if !used[name] {
			t.Errorf("profile.ResourceNames has %q, which no feature calls", name)
		}
	}
}

func TestCheckRequirements(t *testing.T) {
	tags, err := FeatureTags(features.FS)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range profile.Builtin() {
		p, err := profile.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckRequirements(p, tags); err != nil {
			t.Errorf("built-in profile: %v", err)
		}
	}
	cases := []struct {
		description string
		reqs        map[string]string
		wantErr     string
	}{
		{"a tag the features use", map[string]string{"rfc6749-3.2-repeated": "off"}, ""},
		{"a renamed tag", map[string]string{"rfc7009-2.1": "off"}, "no scenario has the tag @rfc7009-2.1"},
		{"a typo, with the @", map[string]string{"@must": "should"}, "@@must"},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			err := CheckRequirements(&profile.Profile{Name: "x", Requirements: tc.reqs}, tags)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("want ok, got %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("want an error containing %q, got %v", tc.wantErr, err)
			}
		})
	}
}
