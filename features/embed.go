// Package features holds the Gherkin feature files of the conformance suite and
// embeds them, so that the oauthconf binary carries the suite with it.
//
// Each feature describes protocol behaviour only: endpoints, credentials,
// lifetimes and literals come from the target's profile (package profile), so one
// feature serves every profile that supports its grant. Scenarios are tagged with
// the requirement they check (@rfc6749-4.1.2, @ucommerce-code-expiry, …), its
// level (@must or @should) and @slow when they must wait in real time.
package features

import "embed"

// FS holds every *.feature file of this directory.
//
//go:embed *.feature
var FS embed.FS
