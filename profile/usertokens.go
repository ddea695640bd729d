package profile

import (
	"encoding/json"
	"fmt"
	"slices"
)

// UserTokens describes tokens that stand for a user of the shop rather than
// the client, requested with the client's access token and sent beside it to
// resources: Elastic Path's customer and account-member tokens
// (docs/vendors.md §3). Both steps (elasticpath_user_tokens.feature) and
// load (the customer_token scenario) read it. A kind left out is not
// supported: its scenarios are skipped with that reason.
type UserTokens struct {
	// Customer is Elastic Path's customer token (POST /v2/customers/tokens,
	// header X-Moltin-Customer-Token).
	Customer *UserToken `yaml:"customer"`
	// AccountMember is Elastic Path's account-management authentication
	// token (POST /v2/account-members/tokens, header
	// EP-Account-Management-Authentication-Token).
	AccountMember *UserToken `yaml:"account_member"`
}

// UserToken is one kind of user token. It is requested by a POST to Path
// with the access token as Bearer (RFC 6750 §2.1) and the JSON:API body
// {"data": Data}; the answer is 200 or 201 with the token in data.token (data
// an object, or a list whose first entry holds it). Resources get it in
// Header, beside the access token.
type UserToken struct {
	// Path is where the token is requested: a path or an absolute URL.
	Path string `yaml:"path"`
	// Header is the request header that carries the token to a resource.
	Header string `yaml:"header"`
	// Data is the body's data object; values may use ${credential}
	// references. Its "password" member is what the wrong-password checks
	// change.
	Data map[string]string `yaml:"data"`
}

// User-token kinds, as the suite names them in the ${token.KIND} references
// of resource headers.
const (
	UserTokenCustomer      = "customer"
	UserTokenAccountMember = "account"
)

// Kind returns the user token of kind (UserTokenCustomer or
// UserTokenAccountMember) and its field name under user_tokens, nil when the
// profile has none.
func (u UserTokens) Kind(kind string) (*UserToken, string) {
	if kind == UserTokenCustomer {
		return u.Customer, "user_tokens.customer"
	}
	return u.AccountMember, "user_tokens.account_member"
}

// Credentials lists the credentials Data refers to, sorted.
func (t *UserToken) Credentials() []string {
	out := refs(t.Data)
	slices.Sort(out)
	return slices.Compact(out)
}

// Missing lists the credentials Data refers to that have no value in c.
func (t *UserToken) Missing(c Credentials) []string {
	var out []string
	for _, name := range t.Credentials() {
		if !c.Has(name) {
			out = append(out, name)
		}
	}
	return out
}

// Body is the request body: {"data": Data} with the credential references
// expanded and the members of override set over them. It fails when a
// referenced credential has no value.
func (t *UserToken) Body(c Credentials, override map[string]string) ([]byte, error) {
	data := make(map[string]string, len(t.Data)+len(override))
	for k, v := range t.Data {
		ev, err := c.Expand(v)
		if err != nil {
			return nil, fmt.Errorf("data.%s: %w", k, err)
		}
		data[k] = ev
	}
	for k, v := range override {
		data[k] = v
	}
	b, err := json.Marshal(map[string]any{"data": data})
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	return b, nil
}

// validateUserTokens checks user_tokens: each kind given has a path, and
// its data refers only to declared credentials.
func (p *Profile) validateUserTokens(e *problems) {
	for _, kind := range []string{UserTokenCustomer, UserTokenAccountMember} {
		t, field := p.UserTokens.Kind(kind)
		if t == nil {
			continue
		}
		if t.Path == "" {
			e.badAt(p, field+".path", "required (where the token is requested)")
		}
		for _, ref := range t.Credentials() {
			if _, ok := p.Credentials[ref]; !ok {
				e.badAt(p, field+".data", "${%s} names no credential declared under credentials", ref)
			}
		}
	}
}

// checkRemovedKeys refuses the old untyped extensions section, which
// user_tokens replaced, naming its line and the new section.
func (p *Profile) checkRemovedKeys() error {
	k, _ := p.keyNode("extensions")
	if k == nil {
		return nil
	}
	return fmt.Errorf("line %d: extensions: no longer read; the Elastic Path token paths and headers are the typed user_tokens section now "+
		"(user_tokens: {customer: {path, header, data}, account_member: {...}}, see docs/profiles.md)", k.Line)
}
