package steps

import (
	"encoding/json"

	"github.com/oauthconf/oauthconf/profile"
)

// elasticPathErrors is Elastic Path's envelope: {"errors":[{"title",
// "status"}]}. It carries no error code: the HTTP status is the check, and
// the title where the profile documents one (errors.titles).
type elasticPathErrors struct{}

func (elasticPathErrors) statusOnly() bool { return true }

func (elasticPathErrors) parse(ex *Exchange, m map[string]any) (vendorError, error) {
	e, err := firstError(ex, m, string(profile.ErrorFormatElasticPath))
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
}

func (elasticPathErrors) checkCode(p *profile.Profile, ex *Exchange, ve vendorError, _ []string, _ string) error {
	if t, ok := p.Errors.Titles[ex.Status]; ok && ve.title != t {
		return failf("want error title %q for HTTP %d (errors.titles), got %q%s", t, ex.Status, ve.title, bodyHint(ex))
	}
	return nil
}
