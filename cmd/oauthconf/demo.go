package main

import (
	"maps"
	"os"
	"slices"

	"github.com/oauthconf/oauthconf/internal/demo"
	"github.com/oauthconf/oauthconf/profile"
)

// The demo credentials: the composition of the reference server's demo
// configuration with the built-in profiles' credential names (internal/demo,
// which only the harness side imports; the reference knows only its own
// configuration).

// demoHint is added to a missing-credential error against a loopback target
// given without --demo-credentials.
const demoHint = "(a target started with `oauthconf serve`? --demo-credentials uses its demo credentials)"

// demoCredentials returns the embedded reference's demo credentials for the
// built-in profile p, keyed by p's credential names. A profile that is not
// built in but reads the server's metadata (one written by `profiles
// discover`) gets the rfc6749 dialect's: only that dialect publishes metadata.
func demoCredentials(p *profile.Profile) map[string]string {
	if p.Metadata != nil && !slices.Contains(profile.Builtin(), p.Name) {
		return demo.For("rfc6749")
	}
	return demo.For(p.Name)
}

// withDemoCredentials returns given over the reference server's demo
// credentials for p (those p declares). With envWins, a demo value gives way to
// its OAUTHCONF_* variable too, as --demo-credentials documents.
func withDemoCredentials(p *profile.Profile, given map[string]string, envWins bool) map[string]string {
	out := map[string]string{}
	for k, v := range demoCredentials(p) {
		if _, declared := p.Credentials[k]; declared && (!envWins || os.Getenv(profile.EnvName(k)) == "") {
			out[k] = v
		}
	}
	maps.Copy(out, given)
	return out
}
