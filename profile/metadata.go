package profile

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// Metadata is an RFC 8414 §2 authorization server metadata document (the
// fields oauthconf reads; OpenID Connect Discovery 1.0 §3 shares them).
type Metadata struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint,omitempty"`
	TokenEndpoint                     string   `json:"token_endpoint,omitempty"`
	JWKSURI                           string   `json:"jwks_uri,omitempty"`
	RegistrationEndpoint              string   `json:"registration_endpoint,omitempty"`
	ScopesSupported                   []string `json:"scopes_supported,omitempty"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	GrantTypesSupported               []string `json:"grant_types_supported,omitempty"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported,omitempty"`
	RevocationEndpoint                string   `json:"revocation_endpoint,omitempty"`
	IntrospectionEndpoint             string   `json:"introspection_endpoint,omitempty"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported,omitempty"`
}

// Grants returns grant_types_supported, or its RFC 8414 §2 default
// ["authorization_code", "implicit"] when the field is omitted.
func (m *Metadata) Grants() []string {
	if len(m.GrantTypesSupported) == 0 {
		return []string{GrantAuthorizationCode, GrantImplicit}
	}
	return m.GrantTypesSupported
}

// AuthMethods returns token_endpoint_auth_methods_supported, or its RFC 8414
// §2 default ["client_secret_basic"].
func (m *Metadata) AuthMethods() []string {
	if len(m.TokenEndpointAuthMethodsSupported) == 0 {
		return []string{"client_secret_basic"}
	}
	return m.TokenEndpointAuthMethodsSupported
}

// Well-known URI suffixes of the metadata documents.
const (
	WellKnownOAuth  = "/.well-known/oauth-authorization-server" // RFC 8414 §3
	WellKnownOpenID = "/.well-known/openid-configuration"       // OpenID Connect Discovery 1.0 §4
)

// MetadataURLs returns the URLs of issuer's metadata, in the order to try:
// the RFC 8414 §3.1 URL (the well-known suffix inserted between the host and
// the issuer's path), then the OpenID configuration (the suffix appended to
// the issuer, OpenID Connect Discovery 1.0 §4.1).
func MetadataURLs(issuer string) ([]string, error) {
	u, err := url.Parse(issuer)
	if err != nil || !IsAbsoluteURL(issuer) || u.Host == "" {
		return nil, fmt.Errorf("issuer %q: want an absolute http:// or https:// URL", issuer)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("issuer %q: an issuer has no query, fragment or user:password@ (RFC 8414 §2)", issuer)
	}
	p := strings.TrimRight(u.EscapedPath(), "/")
	origin := u.Scheme + "://" + u.Host
	return []string{origin + WellKnownOAuth + p, origin + p + WellKnownOpenID}, nil
}

// IssuerOf returns the issuer of a metadata URL (the well-known suffix taken
// out, RFC 8414 §3.1, OpenID Connect Discovery 1.0 §4.1); any other URL is
// returned as it is, without trailing slashes.
func IssuerOf(u string) string {
	u = strings.TrimRight(u, "/")
	if before, ok := strings.CutSuffix(u, WellKnownOpenID); ok {
		return before
	}
	if before, after, ok := strings.Cut(u, WellKnownOAuth); ok {
		return before + after
	}
	return u
}

// FromMetadata writes a profile for the server m describes, read from
// source: endpoints on the issuer's origin as paths, others as absolute URLs;
// grants, client authentication and PKCE from the metadata; comments for what
// metadata cannot say (credentials, lifetimes, protected resources).
func FromMetadata(m *Metadata, source string) ([]byte, error) {
	iu, err := url.Parse(m.Issuer)
	if err != nil || iu.Host == "" {
		return nil, fmt.Errorf("metadata from %s: issuer %q is not an absolute URL", source, m.Issuer)
	}
	if m.TokenEndpoint == "" && !slices.Equal(m.Grants(), []string{GrantImplicit}) {
		return nil, fmt.Errorf("metadata from %s has no token_endpoint (RFC 8414 §2: required unless only the implicit grant is supported)", source)
	}
	g := gen{origin: iu.Scheme + "://" + iu.Host}
	g.header(m, source)
	g.endpoints(m)
	g.grants(m)
	g.credentials(m)
	return []byte(g.b.String()), nil
}

// gen builds the YAML text of FromMetadata.
type gen struct {
	origin string
	b      strings.Builder
}

func (g *gen) line(format string, a ...any) { fmt.Fprintf(&g.b, format+"\n", a...) }

// rel returns endpoint as a path when it is on the issuer's origin.
func (g *gen) rel(endpoint string) string {
	if rest, ok := strings.CutPrefix(endpoint, g.origin); ok && strings.HasPrefix(rest, "/") {
		return rest
	}
	return endpoint
}

func (g *gen) header(m *Metadata, source string) {
	name := strings.NewReplacer(".", "-", ":", "-").Replace(strings.TrimPrefix(strings.TrimPrefix(g.origin, "https://"), "http://"))
	g.line("# Written by `oauthconf profiles discover` from %s.", source)
	g.line("# Metadata says what the server offers, not how it behaves: check each line, fill in the")
	g.line("# credentials (--credential NAME=VALUE, a --credentials file or OAUTHCONF_<NAME>) and the")
	g.line("# lifetimes, then run: oauthconf verify --profile THIS_FILE --target %s", g.origin)
	g.line("name: %s", yamlString(name))
	g.line("title: %s", yamlString("Discovered from "+m.Issuer))
	g.line("metadata:")
	g.line("  issuer: %s", yamlString(m.Issuer))
}

func (g *gen) endpoints(m *Metadata) {
	g.line("token:")
	g.line("  path: %s", yamlString(g.rel(m.TokenEndpoint)))
	g.line("  encoding: form")
	auth, why := clientAuthOf(m.AuthMethods())
	g.line("  client_auth: %s  # %s", auth, why)
	if m.JWKSURI != "" {
		g.line("  jwks_uri: %s  # JWT access tokens are verified with this JWK Set", yamlString(g.rel(m.JWKSURI)))
	}
	if m.AuthorizationEndpoint != "" {
		g.line("authorize:")
		g.line("  path: %s", yamlString(g.rel(m.AuthorizationEndpoint)))
		g.line("  # code_ttl: 60s  # the code lifetime is not in the metadata; set it to check that codes expire")
		if slices.Contains(m.CodeChallengeMethodsSupported, "S256") {
			g.line("  pkce: supported  # code_challenge_methods_supported: [%s]; say required if every client must use it", strings.Join(m.CodeChallengeMethodsSupported, ", "))
		} else {
			g.line("  # pkce: the metadata names no S256 code_challenge_method (RFC 7636)")
		}
		if len(m.ScopesSupported) > 0 {
			g.line("  params: {scope: \"${scope}\"}")
		}
	}
	for _, ep := range []struct{ key, url string }{{"revocation", m.RevocationEndpoint}, {"introspection", m.IntrospectionEndpoint}} {
		if ep.url != "" {
			g.line("%s:", ep.key)
			g.line("  path: %s", yamlString(g.rel(ep.url)))
		}
	}
	g.line("errors:")
	g.line("  format: rfc6749")
	g.line("headers:")
	g.line("  no_store: must")
	g.line("# resources: the metadata names no protected resource; add one to check bearer usage:")
	g.line("#   protected: {method: GET, path: /api/me, challenge: true}")
}

// clientAuthOf maps token_endpoint_auth_methods_supported to token.client_auth.
func clientAuthOf(methods []string) (auth, why string) {
	list := "token_endpoint_auth_methods_supported: [" + strings.Join(methods, ", ") + "]"
	switch {
	case slices.Contains(methods, "client_secret_basic"):
		return ClientAuthBasic, list
	case slices.Contains(methods, "client_secret_post"):
		return ClientAuthBody, list
	case slices.Equal(methods, []string{"none"}):
		return ClientAuthNone, list
	}
	return ClientAuthBasic, list + "; oauthconf speaks only client_secret_basic, client_secret_post and none"
}

// grants writes the grants block: the known grants the metadata lists.
func (g *gen) grants(m *Metadata) {
	g.line("grants:")
	implicit := slices.Contains(m.ResponseTypesSupported, "token")
	var unknown []string
	for _, gr := range m.Grants() {
		switch gr {
		case GrantAuthorizationCode:
			if m.AuthorizationEndpoint == "" {
				unknown = append(unknown, gr+" (the metadata has no authorization_endpoint)")
				continue
			}
			g.line("  authorization_code:")
			g.line("    params: {redirect_uri: \"${redirect_uri}\"}")
			g.line("    refresh_token: optional")
			g.line("    # expires_in: 3600  # the access token lifetime is not in the metadata")
		case GrantClientCredentials:
			g.line("  client_credentials:")
			g.line("    refresh_token: forbidden  # RFC 6749 §4.4.3")
			g.line("    # expires_in: 3600")
		case GrantPassword:
			g.line("  password:")
			g.line("    params: {username: \"${username}\", password: \"${password}\"}")
			g.line("    refresh_token: optional")
		case GrantRefreshToken:
			g.line("  refresh_token:")
			g.line("    refresh_token: optional")
			g.line("    # rotation: true  # if the server replaces a used refresh token (RFC 9700 §4.14.2)")
		case GrantImplicit:
			if implicit && m.AuthorizationEndpoint != "" {
				g.line("  implicit:")
				g.line("    endpoint: authorize  # RFC 6749 §4.2")
				g.line("    client_auth: none")
				g.line("    refresh_token: forbidden")
			}
		default:
			unknown = append(unknown, gr)
		}
	}
	if len(unknown) > 0 {
		g.line("  # not checked by oauthconf: %s", strings.Join(unknown, ", "))
	}
}

func (g *gen) credentials(m *Metadata) {
	g.line("credentials:")
	g.line("  client_id: {description: a confidential client's id}")
	g.line("  client_secret: {description: that client's secret, secret: true}")
	if slices.Contains(m.Grants(), GrantAuthorizationCode) || slices.Contains(m.Grants(), GrantImplicit) {
		g.line("  redirect_uri: {description: a redirect URI registered for that client}")
	} else {
		g.line("  redirect_uri: {description: a redirect URI registered for that client, optional: true}")
	}
	g.line("  other_client_id: {description: a second confidential client (binding checks), optional: true}")
	g.line("  other_client_secret: {description: the second client's secret, secret: true, optional: true}")
	g.line("  public_client_id: {description: a public client for PKCE checks, optional: true}")
	g.line("  public_redirect_uri: {description: the public client's redirect URI, optional: true}")
	g.line("  username: {description: a resource owner (password grant), optional: true}")
	g.line("  password: {description: that user's password, secret: true, optional: true}")
	scope := "read"
	if len(m.ScopesSupported) > 0 {
		scope = m.ScopesSupported[0]
	}
	g.line("  scope: {description: a scope the client may request, optional: true, default: %s}", yamlString(scope))
	if len(m.ScopesSupported) > 1 {
		g.line("  wider_scope: {description: a scope list wider than scope, optional: true, default: %s}", yamlString(strings.Join(m.ScopesSupported[:2], " ")))
	}
}

// yamlString quotes s as a YAML double-quoted scalar.
func yamlString(s string) string { return fmt.Sprintf("%q", s) }
