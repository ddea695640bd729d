package steps

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/cucumber/godog"
)

// TestOutcomesAreTypes: a skip is a godog.ErrSkip whose reason is read from
// its type, a control failure names the control and keeps the cause, and
// control leaves skips and harness errors alone.
func TestOutcomesAreTypes(t *testing.T) {
	skip := errSkip("profile %s has no %s", "x", "y")
	var se skipError
	if !errors.Is(skip, godog.ErrSkip) || !errors.As(skip, &se) || se.reason != "profile x has no y" {
		t.Errorf("errSkip: Is ErrSkip = %v, reason = %q", errors.Is(skip, godog.ErrSkip), se.reason)
	}
	cause := failf("want 200, got 404")
	c := control(cause)
	if !errors.Is(c, cause) || !strings.HasPrefix(c.Error(), "not tested: a precondition failed") {
		t.Errorf("control(%v) = %v, want a control failure wrapping it", cause, c)
	}
	for _, err := range []error{nil, skip, harnessf("bug")} {
		if got := control(err); got != err {
			t.Errorf("control(%v) = %v, want it unchanged", err, got)
		}
	}
}

// TestAHarnessErrorIsAnErrorNotAFailure: a Then step with no response to
// check is the suite's bug, not the target's: the scenario is StatusError,
// counted apart from failures, and the console report says ERROR.
func TestAHarnessErrorIsAnErrorNotAFailure(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	t.Cleanup(ts.Close)
	feats := fstest.MapFS{"harness.feature": {Data: []byte(`Feature: Harness

  @must
  Scenario: A Then step without a request
    Then the token response is successful
`)}}
	p, creds := fakeProfile(t)
	res, err := Run(t.Context(), Options{BaseURL: ts.URL, Profile: p, Credentials: creds, Features: feats})
	if err != nil {
		t.Fatal(err)
	}
	sc := res.Scenarios()
	if len(sc) != 1 || sc[0].Status != StatusError || !strings.HasPrefix(sc[0].Message, "internal: no response to check") {
		t.Fatalf("scenarios = %+v, want one with status error", sc)
	}
	if c := res.Profiles[0].Must; c.Errors != 1 || c.Failed != 0 {
		t.Errorf("MUST counts = %+v, want 1 error and 0 failures", c)
	}
	if !res.Failed() {
		t.Error("a run with a harness error passed")
	}
	var out bytes.Buffer
	if err := WriteText(&out, res, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "--- ERROR (harness, not the target) [fake] Harness / A Then step without a request") {
		t.Errorf("report:\n%s", out.String())
	}
}
