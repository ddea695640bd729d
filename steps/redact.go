package steps

import (
	"github.com/oauthconf/oauthconf/internal/redact"
	"github.com/oauthconf/oauthconf/profile"
)

// redactReason gives a skip reason the redaction of failure messages
// (credential values, tokens, secret parameters), except for the words
// "profile <name>": the profile's name is on every output line, so hiding it
// there protects nothing (the demo Shopware password is "shopware").
func redactReason(red *redactor, profileName, reason string) string {
	if profileName == "" {
		return red.text(reason)
	}
	return red.keeping("profile " + profileName).text(reason)
}

// redactor hides secrets in transcripts and messages (see internal/redact):
// every wire form of the credentials ([REDACTED]) and of the token and code
// values seen (shortened to a prefix), then the values of secret parameters,
// headers and JSON fields whatever their origin.
type redactor struct {
	red *redact.Redactor // nil until a credential or token is known
}

// newRedactor returns a redactor that knows the secrets of creds.
func newRedactor(creds profile.Credentials) redactor { return redactor{red: creds.Redactor()} }

// add records token or code values (8 bytes or more) to shorten.
func (r *redactor) add(vals ...string) {
	if r.red == nil {
		r.red = redact.New()
	}
	r.red.Tokens(vals...)
}

// secret records a value hidden in full, in every wire form (redact.Secrets).
func (r *redactor) secret(vals ...string) {
	if r.red == nil {
		r.red = redact.New()
	}
	r.red.Secrets(vals...)
}

// keeping returns a copy of r that leaves phrase readable (see redact.Keep).
func (r *redactor) keeping(phrase string) *redactor {
	return &redactor{red: r.red.Clone().Keep(phrase)}
}

// text returns s redacted, with control characters other than newline and
// tab escaped (redact.EscapeControl): messages quote what targets send, and
// they are printed and written to every report.
func (r *redactor) text(s string) string { return redact.EscapeControl(r.red.Text(s)) }
