package steps

import (
	"os"
	"strings"
	"testing"

	"github.com/oauthconf/oauthconf/profile"
)

// TestCapabilitiesAreListedInTheProfileDocs keeps docs/profiles.md's list of
// the "the profile has / supports …" steps in step with the table.
func TestCapabilitiesAreListedInTheProfileDocs(t *testing.T) {
	doc, err := os.ReadFile("../docs/profiles.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range capabilityDocs() {
		if !strings.Contains(string(doc), "\n- "+line+"\n") {
			t.Errorf("docs/profiles.md lacks the line\n- %s", line)
		}
	}
}

// TestAnEmptyProfileHasNoCapability: a profile that documents nothing skips
// every capability step, each with a reason that names what is missing.
func TestAnEmptyProfileHasNoCapability(t *testing.T) {
	tg := &target{p: &profile.Profile{Name: "empty"}, creds: profile.NewCredentials(nil)}
	for _, c := range capabilities {
		if c.has == nil {
			continue // only a note of what may not apply at run time
		}
		t.Run(c.pattern, func(t *testing.T) {
			if c.has(tg, "protected") {
				t.Fatalf("an empty profile has %s", c.needs)
			}
			if why := c.why(tg, "protected"); why == "" || !(strings.Contains(why, "profile empty") || strings.Contains(why, "set ")) {
				t.Fatalf("reason %q names neither the profile nor the credentials to set", why)
			}
		})
	}
}
