package steps

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/oauthconf/oauthconf/profile"
)

// vendorError is an error body decoded per the profile's error format.
type vendorError struct {
	code   string // RFC code (rfc6749, ucommerce) or vendor code (shopware); "" for elasticpath
	status string // the status inside the body, where the format has one
	title  string // the title, where the format has one (shopware, elasticpath)
}

// errorFormat reads one vendor's error envelope: parse decodes a body (m is
// its JSON object), checkCode asserts it names one of the wanted RFC codes
// (as the profile maps them), and statusOnly says the envelope carries no
// code, so the HTTP status is the only signal of which error it is.
type errorFormat interface {
	parse(ex *Exchange, m map[string]any) (vendorError, error)
	checkCode(p *profile.Profile, ex *Exchange, ve vendorError, want []string, codes string) error
	statusOnly() bool
}

// errorFormats is the table of formats (read-only), one file each:
// errors_rfc6749.go, errors_ucommerce.go, errors_shopware.go,
// errors_elasticpath.go.
var errorFormats = map[profile.ErrorFormat]errorFormat{
	profile.ErrorFormatRFC6749:     rfc6749Errors{},
	profile.ErrorFormatUcommerce:   ucommerceErrors{},
	profile.ErrorFormatShopware:    shopwareErrors{},
	profile.ErrorFormatElasticPath: elasticPathErrors{},
}

// formatOf returns the profile's error format (RFC 6749 §5.2 by default).
func formatOf(p *profile.Profile) errorFormat {
	if f, ok := errorFormats[p.Errors.Format]; ok {
		return f
	}
	return rfc6749Errors{}
}

// parseError decodes an error body in the profile's format.
func parseError(p *profile.Profile, ex *Exchange) (vendorError, error) {
	m, err := decodeJSONObject(ex.RespBody)
	if err != nil {
		return vendorError{}, failf("error body is not JSON (profile error format %s): %v%s", p.Errors.Format, err, bodyHint(ex))
	}
	return formatOf(p).parse(ex, m)
}

// firstError returns "errors"[0] of an envelope that lists errors (the
// vendor formats), named format in messages.
func firstError(ex *Exchange, m map[string]any, format string) (map[string]any, error) {
	arr, ok := m["errors"].([]any)
	if !ok || len(arr) == 0 {
		return nil, failf(`error body has no non-empty "errors" array (profile error format %s)%s`, format, bodyHint(ex))
	}
	e, ok := arr[0].(map[string]any)
	if !ok {
		return nil, failf(`error body "errors"[0] is not an object%s`, bodyHint(ex))
	}
	return e, nil
}

// checkRefused asserts ex is an error response: a 4xx status, no access
// token, an error body in the profile's format.
func checkRefused(p *profile.Profile, ex *Exchange) (vendorError, error) {
	if ex.Status >= 500 {
		// A 5xx is never a correct refusal: the server failed, and whether it
		// would have refused is unknown.
		return vendorError{}, failCause(fmt.Sprintf("server error (HTTP %d) where a refusal was due", ex.Status),
			"want the request refused with a 4xx error, got a server error: %s%s", ex.StatusText, bodyHint(ex))
	}
	if ex.Status < 400 {
		return vendorError{}, failf("want the request refused with a 4xx error, got %s%s", ex.StatusText, bodyHint(ex))
	}
	if m, err := decodeJSONObject(ex.RespBody); err == nil {
		if s, _ := m["access_token"].(string); s != "" {
			return vendorError{}, failf("the error response carries an access_token")
		}
	}
	ve, err := parseError(p, ex)
	if err != nil {
		return ve, err
	}
	if ve.status != "" && ve.status != strconv.Itoa(ex.Status) {
		return ve, failf("error body says status %q but the HTTP status is %d", ve.status, ex.Status)
	}
	return ve, nil
}

// allowedStatuses returns the statuses the profile allows for an RFC error code.
func allowedStatuses(p *profile.Profile, code string) []int {
	if s := p.Errors.Status[code]; len(s) > 0 {
		return s
	}
	if code == "invalid_client" {
		return []int{400, 401} // RFC 6749 §5.2: 401 MAY (MUST via the Authorization header)
	}
	return []int{400}
}

// statusRule is the requirement of RFC 6749 §5.2's status codes: "The
// authorization server responds with an HTTP 400 (Bad Request) status code
// (unless specified otherwise)". A refusal with the right error code and
// another status passes the scenario's rule and raises this finding once.
const statusRule = "rfc6749-5.2-status"

// checkErrorCode asserts ex is refused with one of codes ("a|b"): the body
// names it in the profile's format (RFC code, or the vendor code mapped in
// errors.codes), and the status is one the profile allows for it. Free-text
// descriptions are never compared. Where the format carries a code, a right
// code with a status RFC 6749 §5.2 does not name is a finding of its own
// (statusRule), not a failure of the scenario's rule; where the status is the
// only signal (Elastic Path), it is the check.
func checkErrorCode(p *profile.Profile, ex *Exchange, codes string) error {
	ve, err := checkRefused(p, ex)
	if err != nil {
		return err
	}
	want := strings.Split(codes, "|")
	f := formatOf(p)
	if err := f.checkCode(p, ex, ve, want, codes); err != nil {
		return err
	}
	var statuses []string
	for _, c := range want {
		for _, s := range allowedStatuses(p, c) {
			statuses = append(statuses, strconv.Itoa(s))
			if s == ex.Status {
				return nil
			}
		}
	}
	allowed := strings.Join(slices.Compact(slices.Sorted(slices.Values(statuses))), " or ")
	if f.statusOnly() {
		return failf("want HTTP status %s for %s, got %s%s", allowed, codes, ex.StatusText, bodyHint(ex))
	}
	return raise(statusRule, fmt.Sprintf("%s answered with HTTP %d (%s)", codeName(ve.code, want, codes), ex.Status, whoAllows(p, want, allowed)),
		"want HTTP status %s for %s, got %s", allowed, codes, ex.StatusText)
}

// codeName names the error a refusal carried: the RFC code, or the wanted
// codes and the vendor's code for them.
func codeName(got string, want []string, codes string) string {
	if slices.Contains(want, got) {
		return got
	}
	return codes + " (code " + strconv.Quote(got) + ")"
}

// whoAllows says which statuses are allowed and by whom: the profile's
// errors.status, or RFC 6749 §5.2.
func whoAllows(p *profile.Profile, want []string, allowed string) string {
	for _, c := range want {
		if len(p.Errors.Status[c]) > 0 {
			return "the profile's errors.status allows " + allowed
		}
	}
	return "RFC 6749 §5.2 wants " + allowed
}
