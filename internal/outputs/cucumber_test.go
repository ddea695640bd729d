package outputs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/cucumber/godog"

	"github.com/oauthconf/oauthconf/internal/depcheck"
	"github.com/oauthconf/oauthconf/internal/outputs"
)

const feature = `@rfc6749-5.1
Feature: Token response
  # a comment
  Background:
    Given a client

  @must
  Scenario: passes
    When the client asks with:
      """
      grant_type=client_credentials
      """
    Then it gets a token

  @should
  Scenario: fails
    When the client sends:
      | grant_type | client_credentials |
    Then it fails

  Scenario: skips
    Then it skips
`

// godogCucumber runs feature through godog's own cucumber formatter.
func godogCucumber(t *testing.T) []byte {
	t.Helper()
	var out bytes.Buffer
	suite := godog.TestSuite{
		ScenarioInitializer: func(sc *godog.ScenarioContext) {
			sc.Step(`^a client$`, func() error { return nil })
			sc.Step(`^the client asks with:$`, func(*godog.DocString) error { return nil })
			sc.Step(`^the client sends:$`, func(*godog.Table) error { return nil })
			sc.Step(`^it gets a token$`, func(ctx context.Context) (context.Context, error) {
				return godog.Attach(ctx, godog.Attachment{Body: []byte("POST /token"), FileName: "http-exchange.txt", MediaType: "text/plain"}), nil
			})
			sc.Step(`^it fails$`, func() error { return errors.New("no access_token") })
			sc.Step(`^it skips$`, func(ctx context.Context) (context.Context, error) {
				ctx = godog.Attach(ctx, godog.Attachment{Body: []byte("no secret-value resource"), FileName: outputs.SkipReasonAttachment, MediaType: "text/plain"})
				return ctx, godog.ErrSkip
			})
		},
		Options: &godog.Options{Format: "cucumber", Output: &out, FeatureContents: []godog.Feature{{Name: "token.feature", Contents: []byte(feature)}}},
	}
	suite.Run()
	return out.Bytes()
}

// TestCucumberKeepsEveryFieldGodogWrites: decoding godog's cucumber JSON into
// outputs.CucumberFeature and encoding it again gives the same JSON, by
// meaning, so verify's merge loses nothing.
func TestCucumberKeepsEveryFieldGodogWrites(t *testing.T) {
	data := godogCucumber(t)
	feats, err := outputs.ParseCucumber(data)
	if err != nil {
		t.Fatal(err)
	}
	again, err := json.Marshal(feats)
	if err != nil {
		t.Fatal(err)
	}
	var want, got any
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(again, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("re-encoded cucumber JSON differs from godog's:\n got %s\nwant %s", again, data)
	}
	if len(feats) != 1 || len(feats[0].Elements) != 3 {
		t.Fatalf("want one feature with three scenarios, got %s", again)
	}
}

func TestMoveSkipReasons(t *testing.T) {
	feats, err := outputs.ParseCucumber(godogCucumber(t))
	if err != nil {
		t.Fatal(err)
	}
	outputs.MoveSkipReasons(feats, func(s string) string { return strings.ReplaceAll(s, "secret-value", "[REDACTED]") })
	var skipped, exchange []string
	for _, el := range feats[0].Elements {
		for _, st := range el.Steps {
			for _, e := range st.Embeddings {
				if e.Name == outputs.SkipReasonAttachment {
					t.Errorf("step %q keeps its skip-reason embedding", st.Name)
				}
				exchange = append(exchange, e.Text())
			}
			if st.Result.Status == outputs.StatusSkipped && st.Result.Error != "" {
				skipped = append(skipped, st.Result.Error)
			}
		}
	}
	if want := []string{"no [REDACTED] resource"}; !reflect.DeepEqual(skipped, want) {
		t.Errorf("skipped steps' error_message = %q, want %q", skipped, want)
	}
	if want := []string{"POST /token"}; !reflect.DeepEqual(exchange, want) {
		t.Errorf("other embeddings = %q, want %q kept", exchange, want)
	}
}

func TestParseCucumberKeepsCompleteFeaturesOfATruncatedFile(t *testing.T) {
	cases := []struct {
		description string
		data        string
		features    int
		wantErr     string
	}{
		{"a whole file", `[{"uri":"a.feature"},{"uri":"b.feature"}]`, 2, ""},
		{"cut inside the second feature", `[{"uri":"a.feature"},{"uri":"b.fea`, 1, "after 1 complete feature(s)"},
		{"not an array", `{"uri":"a.feature"}`, 0, "not a cucumber JSON array"},
		{"empty", ``, 0, "not JSON"},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			feats, err := outputs.ParseCucumber([]byte(tc.data))
			if len(feats) != tc.features {
				t.Errorf("got %d features, want %d", len(feats), tc.features)
			}
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

// TestImportsOnlyTheStandardLibrary: reports, which reads files only, can
// import this package.
func TestImportsOnlyTheStandardLibrary(t *testing.T) {
	depcheck.Check(t, ".", "internal/outputs is standard library only", func(imp depcheck.Import) bool {
		return imp.Std() || imp.Test
	})
}
