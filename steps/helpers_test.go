package steps

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/oauthconf/oauthconf/profile"
	"github.com/oauthconf/oauthconf/reference"
)

// startReference serves a reference server (test clock on) with defects ds on loopback.
func startReference(t testing.TB, ds ...reference.Defect) *httptest.Server {
	t.Helper()
	opts := []reference.Option{reference.WithTestClock()}
	if len(ds) > 0 {
		opts = append(opts, reference.WithDefects(ds...))
	}
	srv, err := reference.New(reference.DemoConfig(), opts...)
	if err != nil {
		t.Fatalf("reference.New: %v", err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { ts.Close(); srv.Close() })
	return ts
}

// demoOptions returns run options for built-in profile name against url with
// the reference's demo credentials.
func demoOptions(t testing.TB, name, url string) Options {
	t.Helper()
	p, err := profile.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	given := reference.DemoConfig().Credentials(name)
	creds, err := profile.Resolve(p, given, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	// Three rounds per race scenario: only the race defects need many
	// (raceDefects), and they ask for them.
	return Options{BaseURL: url, Profile: p, Credentials: creds, TestClock: true, Concurrency: 8, RaceRounds: 3}
}

func runProfiles(t testing.TB, url string, names ...string) Result {
	t.Helper()
	var all []Options
	for _, n := range names {
		all = append(all, demoOptions(t, n, url))
	}
	res, err := RunAll(context.Background(), all)
	if err != nil {
		t.Fatalf("RunAll: %v", err)
	}
	return res
}
