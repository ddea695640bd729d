package reports

import "github.com/oauthconf/oauthconf/internal/redact"

// Redacted replaces every secret Redact finds.
const Redacted = redact.Marker

// Redact makes text from a run safe for a report or a terminal. It hides
// credentials (see internal/redact.Text): Authorization header values
// (keeping the scheme), cookie values (keeping their names), Bearer/Basic
// credentials anywhere, URL userinfo, and the values of token, secret,
// password, code and assertion fields in JSON and form bodies or URLs, also
// where the body is JSON- or percent-escaped; values already redacted (or
// empty) are kept as they are. Then it escapes control characters other than
// newline and tab (see internal/redact.EscapeControl), so that a target
// cannot drive the terminal or reorder a page. Redact is idempotent.
func Redact(s string) string { return redact.EscapeControl(redact.Text(s)) }
