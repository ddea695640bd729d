package main

import (
	"maps"
	"os"

	"github.com/oauthconf/oauthconf/profile"
	"github.com/oauthconf/oauthconf/reference"
)

// The demo credentials: the composition of the reference server's demo
// configuration with the built-in profiles' credential names. Only the
// command knows both vocabularies.

// demoHint is added to a missing-credential error against a loopback target
// given without --demo-credentials.
const demoHint = "(a target started with `oauthconf serve`? --demo-credentials uses its demo credentials)"

// demoCredentials returns the embedded reference's demo credentials for the
// built-in profile p, keyed by p's credential names.
func demoCredentials(p *profile.Profile) map[string]string {
	return reference.DemoConfig().Credentials(p.Name)
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
