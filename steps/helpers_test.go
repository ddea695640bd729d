package steps

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/oauthconf/oauthconf/internal/demo"
	"github.com/oauthconf/oauthconf/profile"
	"github.com/oauthconf/oauthconf/reference"
)

// startReference serves a reference server (test clock on) with defects ds on loopback.
func startReference(t testing.TB, ds ...reference.Defect) *httptest.Server {
	t.Helper()
	return startReferenceWith(t, nil, ds...)
}

// startReferenceWith is startReference with more options (a server mode
// such as reference.WithLogin).
func startReferenceWith(t testing.TB, more []reference.Option, ds ...reference.Defect) *httptest.Server {
	t.Helper()
	return startReferenceConfig(t, reference.DemoConfig(), more, ds...)
}

// startReferenceConfig is startReferenceWith with cfg instead of the demo
// configuration (a mode set in the configuration, such as RequirePKCE).
func startReferenceConfig(t testing.TB, cfg reference.Config, more []reference.Option, ds ...reference.Defect) *httptest.Server {
	t.Helper()
	opts := append([]reference.Option{reference.WithTestClock()}, more...)
	if len(ds) > 0 {
		opts = append(opts, reference.WithDefects(ds...))
	}
	srv, err := reference.New(cfg, opts...)
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
	return demoOptionsWith(t, name, url, nil)
}

// demoOptionsWith is demoOptions with some credentials replaced.
func demoOptionsWith(t testing.TB, name, url string, replace map[string]string) Options {
	t.Helper()
	p, err := profile.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	given := demo.For(name)
	for k, v := range replace {
		given[k] = v
	}
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

// loginOptions returns demoOptions for the rfc6749 profile with an
// authorize.login section (the HTTP user agent, its defaults), for a
// reference started with reference.WithLogin.
func loginOptions(t testing.TB, url string) Options {
	t.Helper()
	return loginOptionsWith(t, url, nil)
}

// loginOptionsWith is loginOptions with some credentials replaced.
func loginOptionsWith(t testing.TB, url string, replace map[string]string) Options {
	t.Helper()
	o := demoOptionsWith(t, "rfc6749", url, replace)
	o.Profile.Authorize.Login = &profile.Login{Mode: profile.LoginHTTP, Deny: "deny"}
	return o
}

// referenceMode is how TestDefects starts the reference and runs the
// built-in profiles for a defect that needs a server mode
// (reference.Defect.Needs).
type referenceMode struct {
	cfg  reference.Config
	srv  []reference.Option
	runs func(url string) []Options // the options of every built-in profile against url
}

// start serves a reference in mode m with defects ds.
func (m referenceMode) start(t testing.TB, ds ...reference.Defect) *httptest.Server {
	t.Helper()
	return startReferenceConfig(t, m.cfg, m.srv, ds...)
}

// modeRun returns the reference mode for a defect that needs server mode
// needs (reference.Defect.Needs): under the login mode the rfc6749 profile
// gets its authorize.login section; under the require-pkce mode the
// reference requires PKCE of every client (Config.RFC6749.RequirePKCE) and
// the rfc6749 profile says so (authorize.pkce: required).
func modeRun(t testing.TB, needs string) referenceMode {
	m := referenceMode{cfg: reference.DemoConfig()}
	switch needs {
	case reference.NeedsLogin:
		m.srv = append(m.srv, reference.WithLogin(reference.LoginForm))
	case reference.NeedsSigningAlg:
		m.srv = append(m.srv, reference.WithSigningAlg("ES256"))
	case reference.NeedsRequirePKCE:
		m.cfg.RFC6749.RequirePKCE = true
	}
	m.runs = func(url string) []Options {
		var all []Options
		for _, n := range builtinProfiles {
			switch {
			case n == "rfc6749" && needs == reference.NeedsLogin:
				all = append(all, loginOptions(t, url))
			case n == "rfc6749" && needs == reference.NeedsRequirePKCE:
				all = append(all, pkceRequiredOptions(t, url))
			default:
				all = append(all, demoOptions(t, n, url))
			}
		}
		return all
	}
	return m
}

// pkceRequiredOptions returns demoOptions for the rfc6749 profile with
// authorize.pkce: required, for a reference that requires PKCE of every
// client (Config.RFC6749.RequirePKCE).
func pkceRequiredOptions(t testing.TB, url string) Options {
	t.Helper()
	o := demoOptions(t, "rfc6749", url)
	p := *o.Profile
	a := *p.Authorize
	a.PKCE = profile.PKCERequired
	p.Authorize = &a
	o.Profile = &p
	return o
}
