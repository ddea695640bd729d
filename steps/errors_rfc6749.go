package steps

import (
	"slices"
	"strings"

	"github.com/oauthconf/oauthconf/profile"
)

// rfc6749Errors is RFC 6749 §5.2's error body: {"error": code,
// "error_description": text} as application/json.
type rfc6749Errors struct{}

func (rfc6749Errors) statusOnly() bool { return false }

// parse decodes an RFC 6749 §5.2 error body m of ex.
func (rfc6749Errors) parse(ex *Exchange, m map[string]any) (vendorError, error) {
	if !isJSON(ex.Header("Content-Type")) {
		return vendorError{}, failf("error response Content-Type is %q, want application/json (RFC 6749 §5.2)", ex.Header("Content-Type"))
	}
	code, ok := m["error"].(string)
	if !ok {
		return vendorError{}, failf(`error body has no "error" string (RFC 6749 §5.2)%s`, bodyHint(ex))
	}
	if d, present := m["error_description"]; present {
		ds, ok := d.(string)
		if !ok {
			return vendorError{}, failf("error_description is not a string (RFC 6749 §5.2)")
		}
		for _, r := range ds {
			if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
				return vendorError{}, failf("error_description has character %q outside %%x20-21 / %%x23-5B / %%x5D-7E (RFC 6749 §5.2)", r)
			}
		}
	}
	return vendorError{code: code}, nil
}

// checkCode asserts the body names one of want; errors.codes replaces an
// RFC code by the code(s) the vendor documents for it instead.
func (rfc6749Errors) checkCode(p *profile.Profile, ex *Exchange, ve vendorError, want []string, codes string) error {
	return checkMappedCode(p, ex, ve, want, codes)
}

// checkMappedCode asserts ve.code is one of want, or of the codes the
// profile's errors.codes maps them to (formats whose codes are RFC codes).
func checkMappedCode(p *profile.Profile, ex *Exchange, ve vendorError, want []string, codes string) error {
	var accepted []string
	mapped := false
	for _, c := range want {
		v, ok := p.Errors.Codes[c]
		if !ok {
			accepted = append(accepted, c)
			continue
		}
		mapped = true
		for _, x := range strings.Split(v, ",") {
			accepted = append(accepted, strings.TrimSpace(x))
		}
	}
	if slices.Contains(accepted, ve.code) {
		return nil
	}
	if mapped {
		return failf("want error %s (%s, as errors.codes maps it), got %q (HTTP %d)%s", strings.Join(accepted, " or "), codes, ve.code, ex.Status, bodyHint(ex))
	}
	return failf("want error %s, got %q (HTTP %d)%s", strings.Join(accepted, " or "), ve.code, ex.Status, bodyHint(ex))
}
