package steps

import (
	"strings"

	"github.com/oauthconf/oauthconf/profile"
)

// shopwareErrors is Shopware's envelope: {"errors":[{"code","status",
// "title","detail"}]}, with League OAuth2 Server's numeric codes as strings
// (the profile's errors.codes maps RFC codes to them).
type shopwareErrors struct{}

func (shopwareErrors) statusOnly() bool { return false }

func (shopwareErrors) parse(ex *Exchange, m map[string]any) (vendorError, error) {
	e, err := firstError(ex, m, string(profile.ErrorFormatShopware))
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
}

// checkCode checks the vendor code against errors.codes; with no mapping
// for the wanted codes, any code passes.
func (shopwareErrors) checkCode(p *profile.Profile, ex *Exchange, ve vendorError, want []string, codes string) error {
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
