package profile

import (
	"maps"
	"net/url"
	"slices"
	"strings"
)

// PKCE clients (authorize.pkce_client).
const (
	PKCEClientPublic       = "public"       // public_client_id and public_redirect_uri (RFC 7636 §1)
	PKCEClientConfidential = "confidential" // the main client (RFC 9700 §2.1.1: PKCE for every client)
)

// MetadataSpec says the target publishes RFC 8414 authorization server
// metadata.
type MetadataSpec struct {
	// Issuer is the issuer identifier the metadata URL is built from (RFC 8414
	// §3.1) and that the metadata's issuer must equal (§3.3). Empty: the
	// target URL.
	Issuer string `yaml:"issuer"`
	// Optional: a target that publishes no metadata (404 at both well-known
	// URLs) skips the metadata checks instead of failing them.
	Optional bool `yaml:"optional"`
}

// IsAbsoluteURL reports whether endpoint is an absolute http(s) URL rather
// than a path on the target.
func IsAbsoluteURL(endpoint string) bool {
	return strings.HasPrefix(endpoint, "http://") || strings.HasPrefix(endpoint, "https://")
}

// JoinURL returns the URL of endpoint on base: endpoint itself when it is an
// absolute URL (an endpoint on another origin), else base without its
// trailing slashes followed by the path.
func JoinURL(base, endpoint string) string {
	if IsAbsoluteURL(endpoint) {
		return endpoint
	}
	return strings.TrimRight(base, "/") + endpoint
}

// EndpointURLs returns every endpoint the profile names, by field
// ("token.path", "resources.protected.path", "token.jwks_uri", ...): paths or
// absolute URLs; empty ones are left out.
func (p *Profile) EndpointURLs() map[string]string {
	m := map[string]string{"token.path": p.Token.Path, "token.jwks_uri": p.Token.JWKSURI}
	if p.Authorize != nil {
		m["authorize.path"] = p.Authorize.Path
	}
	if p.Revocation != nil {
		m["revocation.path"] = p.Revocation.Path
	}
	if p.Introspection != nil {
		m["introspection.path"] = p.Introspection.Path
	}
	for name, r := range p.Resources {
		if r != nil {
			m["resources."+name+".path"] = r.Path
		}
	}
	for _, kind := range []string{UserTokenCustomer, UserTokenAccountMember} {
		if t, field := p.UserTokens.Kind(kind); t != nil {
			m[field+".path"] = t.Path
		}
	}
	for k, v := range m {
		if v == "" {
			delete(m, k)
		}
	}
	return m
}

// secretQueryWords are parameter-name fragments that mark a query carrying a
// secret: a profile's URLs are printed in reports, so they must not hold one.
var secretQueryWords = []string{"secret", "password", "token", "key", "code", "assertion"}

// checkEndpoint checks one endpoint: a path starting with /, or an absolute
// http(s) URL with a host, without user:password@, fragment or a query
// parameter that looks like a secret.
func (e *problems) checkEndpoint(field, v string) {
	if v == "" || strings.HasPrefix(v, "/") {
		return
	}
	u, err := url.Parse(v)
	if err != nil || !IsAbsoluteURL(v) || u.Host == "" {
		e.bad("%s: %q must start with / (or be an absolute http:// or https:// URL)", field, v)
		return
	}
	if u.User != nil {
		e.bad("%s: the URL must not carry credentials (user:password@host): put them in credentials", field)
	}
	if u.Fragment != "" {
		e.bad("%s: %q must not have a fragment", field, v)
	}
	for name := range u.Query() {
		for _, w := range secretQueryWords {
			if strings.Contains(strings.ToLower(name), w) {
				e.bad("%s: the query parameter %q looks like a secret; URLs are printed in reports, so put it in credentials", field, name)
				break
			}
		}
	}
}

// validateDiscovery checks the endpoint URLs, the metadata and JWKS
// settings, authorize.pkce_client and the token_grant fields.
func (p *Profile) validateDiscovery(e *problems) {
	urls := p.EndpointURLs()
	for _, field := range slices.Sorted(maps.Keys(urls)) {
		e.checkEndpoint(field, urls[field])
	}
	if v := p.Token.JWKSURI; v != "" && !IsAbsoluteURL(v) && !strings.HasPrefix(v, "/") {
		e.bad("token.jwks_uri: %q must be a path or an absolute URL", v)
	}
	if m := p.Metadata; m != nil && m.Issuer != "" {
		u, err := url.Parse(m.Issuer)
		if err != nil || !IsAbsoluteURL(m.Issuer) || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			e.bad("metadata.issuer: %q must be an http(s) URL without query, fragment or credentials (RFC 8414 §2)", m.Issuer)
		}
	}
	if a := p.Authorize; a != nil {
		switch a.PKCEClient {
		case "", PKCEClientPublic, PKCEClientConfidential:
		default:
			e.bad("authorize.pkce_client: %q is not public or confidential", a.PKCEClient)
		}
	}
	check := func(field, g string) {
		if g != "" && !p.Supports(g) {
			e.bad("%s: %q is not a grant under grants", field, g)
		}
	}
	if p.Revocation != nil && p.Revocation.TokenGrant != "" {
		e.bad("revocation.token_grant: not read (the revocation checks revoke refresh tokens and the resource's access token); use resources.<name>.token_grant")
	}
	if p.Introspection != nil {
		check("introspection.token_grant", p.Introspection.TokenGrant)
	}
	for name, r := range p.Resources {
		if r != nil {
			check("resources."+name+".token_grant", r.TokenGrant)
		}
	}
}
