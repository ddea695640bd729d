package steps

import "github.com/oauthconf/oauthconf/profile"

// ucommerceErrors is Ucommerce's envelope: {"errors":[{"error": code,
// "error-description": text}]}, with RFC 6749 codes.
type ucommerceErrors struct{}

func (ucommerceErrors) statusOnly() bool { return false }

func (ucommerceErrors) parse(ex *Exchange, m map[string]any) (vendorError, error) {
	e, err := firstError(ex, m, string(profile.ErrorFormatUcommerce))
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
}

func (ucommerceErrors) checkCode(p *profile.Profile, ex *Exchange, ve vendorError, want []string, codes string) error {
	return checkMappedCode(p, ex, ve, want, codes)
}
