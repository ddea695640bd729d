package steps

import (
	"encoding/json"
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

// parseError decodes an error body in the profile's format.
func parseError(p *profile.Profile, ex *Exchange) (vendorError, error) {
	m, err := decodeJSONObject(ex.RespBody)
	if err != nil {
		return vendorError{}, failf("error body is not JSON (profile error format %s): %v%s", p.Errors.Format, err, bodyHint(ex))
	}
	first := func() (map[string]any, error) {
		arr, ok := m["errors"].([]any)
		if !ok || len(arr) == 0 {
			return nil, failf(`error body has no non-empty "errors" array (profile error format %s)%s`, p.Errors.Format, bodyHint(ex))
		}
		e, ok := arr[0].(map[string]any)
		if !ok {
			return nil, failf(`error body "errors"[0] is not an object%s`, bodyHint(ex))
		}
		return e, nil
	}
	switch p.Errors.Format {
	case "ucommerce":
		e, err := first()
		if err != nil {
			return vendorError{}, err
		}
		code, ok := e["error"].(string)
		if !ok {
			return vendorError{}, failf(`Ucommerce error has no "error" string%s`, bodyHint(ex))
		}
		if d, present := e["error-description"]; present {
			if _, ok := d.(string); !ok && d != nil {
				return vendorError{}, failf(`Ucommerce "error-description" is not a string%s`, bodyHint(ex))
			}
		}
		return vendorError{code: code}, nil
	case "shopware":
		e, err := first()
		if err != nil {
			return vendorError{}, err
		}
		code, ok1 := e["code"].(string)
		status, ok2 := e["status"].(string)
		_, ok3 := e["title"].(string)
		if !ok1 || !ok2 || !ok3 {
			return vendorError{}, failf(`Shopware error needs "code", "status" and "title" strings%s`, bodyHint(ex))
		}
		return vendorError{code: code, status: status}, nil
	case "elasticpath":
		e, err := first()
		if err != nil {
			return vendorError{}, err
		}
		title, ok := e["title"].(string)
		if !ok {
			return vendorError{}, failf(`Elastic Path error has no "title" string%s`, bodyHint(ex))
		}
		var status string
		switch s := e["status"].(type) {
		case string:
			status = s
		case json.Number:
			status = s.String()
		default:
			return vendorError{}, failf(`Elastic Path error has no "status"%s`, bodyHint(ex))
		}
		return vendorError{status: status, title: title}, nil
	default: // rfc6749 §5.2
		return parseRFC6749Error(ex, m)
	}
}

// parseRFC6749Error decodes an RFC 6749 §5.2 error body m of ex.
func parseRFC6749Error(ex *Exchange, m map[string]any) (vendorError, error) {
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
	if err := checkCode(p, ex, ve, want, codes); err != nil {
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
	if p.Errors.Format == "elasticpath" {
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

// checkCode asserts the error body names one of want in the profile's format.
func checkCode(p *profile.Profile, ex *Exchange, ve vendorError, want []string, codes string) error {
	switch p.Errors.Format {
	case "elasticpath":
		// No error code in the body: the status is the check, and the title
		// where the profile documents one for it.
		if t, ok := p.Errors.Titles[ex.Status]; ok && ve.title != t {
			return failf("want error title %q for HTTP %d (errors.titles), got %q%s", t, ex.Status, ve.title, bodyHint(ex))
		}
		return nil
	case "shopware":
		return checkVendorCode(p, ex, ve, want, codes)
	}
	// errors.codes replaces an RFC code by the code(s) the vendor documents
	// for it instead.
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

// checkVendorCode checks a Shopware error code against errors.codes; with
// no mapping for the wanted codes, any code passes.
func checkVendorCode(p *profile.Profile, ex *Exchange, ve vendorError, want []string, codes string) error {
	var vendor []string
	for _, c := range want {
		if v, ok := p.Errors.Codes[c]; ok {
			vendor = append(vendor, strings.Split(v, ",")...)
		}
	}
	if len(vendor) == 0 {
		return nil
	}
	for _, v := range vendor {
		if strings.TrimSpace(v) == ve.code {
			return nil
		}
	}
	return failf("want error code %s (%s), got %q (HTTP %d)%s", strings.Join(vendor, " or "), codes, ve.code, ex.Status, bodyHint(ex))
}
