package reference

import (
	"net/http"
	"slices"
)

// issuerBase returns the RFC 6749 dialect's issuer identifier (RFC 8414 §2):
// the configured issuer, or the origin the request reached.
func (d *rfc6749) issuerBase(r *http.Request) string {
	if d.cfg.Issuer != "" {
		return d.cfg.Issuer
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// metadata serves GET /.well-known/oauth-authorization-server (RFC 8414 §3):
// what the RFC 6749 dialect really supports, derived from its configuration.
// The issuer has no path, so this is the only metadata URL (§3.1); the
// vendor dialects publish none, as their real services do not, and
// /.well-known/openid-configuration answers 404: the dialect issues no ID
// tokens, so it is no OpenID provider.
func (d *rfc6749) metadata(w http.ResponseWriter, r *http.Request) {
	base := d.issuerBase(r)
	grants, public, confidential := d.supported()
	responseTypes, modes := []string{}, []string{}
	if slices.Contains(grants, "authorization_code") {
		responseTypes, modes = append(responseTypes, "code"), append(modes, "query")
	}
	if slices.Contains(grants, "implicit") {
		responseTypes, modes = append(responseTypes, "token"), append(modes, "fragment")
	}
	var auth []string
	if confidential {
		auth = append(auth, "client_secret_basic", "client_secret_post")
	}
	withNone := auth // the token and revocation endpoints take public clients by client_id
	if public {
		withNone = append(slices.Clip(auth), "none")
	}
	m := map[string]any{
		"issuer":                                        base,
		"authorization_endpoint":                        base + "/oauth2/authorize",
		"token_endpoint":                                base + "/oauth2/token",
		"revocation_endpoint":                           base + "/oauth2/revoke",
		"introspection_endpoint":                        base + "/oauth2/introspect",
		"grant_types_supported":                         grants,
		"response_types_supported":                      responseTypes,
		"response_modes_supported":                      modes,
		"token_endpoint_auth_methods_supported":         withNone,
		"revocation_endpoint_auth_methods_supported":    withNone,
		"introspection_endpoint_auth_methods_supported": auth, // public clients may not introspect (RFC 7662 §2.1)
		"code_challenge_methods_supported":              []string{"S256"},
		"scopes_supported":                              append([]string{}, d.cfg.Scopes...),
	}
	if d.keys != nil {
		m["jwks_uri"] = base + "/oauth2/jwks"
	}
	if d.s.has(MetadataIssuerMismatch) {
		m["issuer"] = base + "/" // the defect: not identical to the URL the metadata came from
	}
	if d.s.has(MetadataFieldsMissing) {
		delete(m, "response_types_supported") // the defect: a REQUIRED field is missing
	}
	if d.s.has(MetadataDeadEndpoint) {
		m["revocation_endpoint"] = base + "/oauth2/revocation" // the defect: nothing is served there
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	writeJSON(w, http.StatusOK, m)
}

// supported returns the grant types some registered client may use, in RFC
// 6749 order, and whether public and confidential clients are registered.
func (d *rfc6749) supported() (grants []string, public, confidential bool) {
	seen := map[string]bool{}
	for _, c := range d.cfg.Clients {
		public = public || c.ClientSecret == ""
		confidential = confidential || c.ClientSecret != ""
		for _, g := range c.Grants {
			seen[g] = true
		}
	}
	for _, g := range []string{"authorization_code", "implicit", "password", "client_credentials", "refresh_token"} {
		if seen[g] {
			grants = append(grants, g)
		}
	}
	return grants, public, confidential
}
