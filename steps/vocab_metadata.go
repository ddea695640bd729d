package steps

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/oauthconf/oauthconf/profile"
)

// registerMetadata adds the authorization server metadata steps (RFC 8414).
// Feature: metadata.feature.
func registerMetadata(sc stepper) {
	sc.Step(`^the target publishes authorization server metadata$`, wrap(theTargetPublishesAuthorizationServerMetadata))
	sc.Step(`^the metadata is a JSON object with the fields RFC 8414 requires$`, wrap(theMetadataIsAJSONObjectWithTheRequiredFields))
	sc.Step(`^the metadata's issuer is identical to the issuer of its URL$`, wrap(theMetadatasIssuerIsIdenticalToTheIssuerOfItsURL))
	sc.Step(`^the endpoints the metadata advertises are the ones the profile names$`, wrap(theEndpointsTheMetadataAdvertisesAreTheProfiles))
	sc.Step(`^every endpoint the metadata advertises answers a request without credentials$`, wrap(everyAdvertisedEndpointAnswers))
	sc.Step(`^the metadata advertises a jwks_uri$`, wrap(theMetadataAdvertisesAJWKSURI))
	sc.Step(`^the jwks_uri serves a JWK Set with public keys only$`, wrap(theJWKSURIServesAJWKSet))
}

func theTargetPublishesAuthorizationServerMetadata(ctx context.Context) error {
	_, err := fromCtx(ctx).metadata(ctx)
	return control(err)
}

// RFC 8414 §2: issuer and response_types_supported are REQUIRED;
// token_endpoint "is REQUIRED unless only the implicit grant type is
// supported"; authorization_endpoint "is REQUIRED unless no grant types are
// supported that use the authorization endpoint". §3.2: a JSON object.
func theMetadataIsAJSONObjectWithTheRequiredFields(ctx context.Context) error {
	s := fromCtx(ctx)
	d, err := s.metadata(ctx)
	if err != nil {
		return control(err)
	}
	if d.err != nil {
		return failf("%v", d.err)
	}
	var missing []string
	if d.doc.Issuer == "" {
		missing = append(missing, "issuer")
	}
	if len(d.doc.ResponseTypesSupported) == 0 {
		missing = append(missing, "response_types_supported")
	}
	grants := d.doc.Grants()
	if d.doc.TokenEndpoint == "" && !slices.Equal(grants, []string{profile.GrantImplicit}) {
		missing = append(missing, "token_endpoint (grants other than implicit are supported)")
	}
	usesAuthorize := slices.Contains(grants, profile.GrantAuthorizationCode) || slices.Contains(grants, profile.GrantImplicit)
	if d.doc.AuthorizationEndpoint == "" && usesAuthorize {
		missing = append(missing, "authorization_endpoint (a grant that uses it is supported)")
	}
	if len(missing) > 0 {
		return failf("the metadata at %s lacks required fields (RFC 8414 §2): %s", d.url, strings.Join(missing, ", "))
	}
	return nil
}

func theMetadatasIssuerIsIdenticalToTheIssuerOfItsURL(ctx context.Context) error {
	s := fromCtx(ctx)
	d, err := s.metadataDocument(ctx)
	if err != nil {
		return err
	}
	if want := s.issuer(); d.doc.Issuer != want {
		return failf("the metadata at %s says issuer %q, want %q, the issuer its URL was built from, identical (RFC 8414 §3.3)", d.url, d.doc.Issuer, want)
	}
	return nil
}

// advertised returns the metadata's endpoints with the profile field that
// names the same endpoint.
func advertised(m *profile.Metadata) []struct{ name, url, field string } {
	return []struct{ name, url, field string }{
		{"token_endpoint", m.TokenEndpoint, "token.path"},
		{"authorization_endpoint", m.AuthorizationEndpoint, "authorize.path"},
		{"revocation_endpoint", m.RevocationEndpoint, "revocation.path"},
		{"introspection_endpoint", m.IntrospectionEndpoint, "introspection.path"},
		{"jwks_uri", m.JWKSURI, "token.jwks_uri"},
	}
}

func theEndpointsTheMetadataAdvertisesAreTheProfiles(ctx context.Context) error {
	s := fromCtx(ctx)
	d, err := s.metadataDocument(ctx)
	if err != nil {
		return err
	}
	named := s.t.p.EndpointURLs()
	var diffs []string
	for _, ep := range advertised(d.doc) {
		p, ok := named[ep.field]
		if ep.url == "" || !ok {
			continue
		}
		if want := profile.JoinURL(s.t.client.base.String(), p); ep.url != want {
			diffs = append(diffs, fmt.Sprintf("%s is %q, the profile's %s is %q", ep.name, ep.url, ep.field, want))
		}
	}
	if len(diffs) > 0 {
		return failf("the metadata at %s advertises other endpoints than the profile names (RFC 8414 §2): %s", d.url, strings.Join(diffs, "; "))
	}
	return nil
}

// everyAdvertisedEndpointAnswers sends each advertised endpoint a request a
// live endpoint refuses (no client credentials, no token): an answer of 404,
// 405, 410 or 5xx means nothing serves it. The token, revocation and
// introspection endpoints must answer in the RFC 6749 §5.2 error format
// (revocation may also answer 200, RFC 7009 §2.2).
func everyAdvertisedEndpointAnswers(ctx context.Context) error {
	s := fromCtx(ctx)
	d, err := s.metadataDocument(ctx)
	if err != nil {
		return err
	}
	var dead []string
	for _, ep := range advertised(d.doc) {
		if ep.url == "" || ep.name == "jwks_uri" {
			continue
		}
		ex, err := s.probeEndpoint(ctx, ep.name, ep.url)
		if err != nil {
			return err
		}
		if why := deadEndpoint(s.t.p, ep.name, ex); why != "" {
			dead = append(dead, fmt.Sprintf("%s %s answered %s%s", ep.name, ep.url, ex.StatusText, why))
		}
	}
	if len(dead) > 0 {
		return failf("the metadata at %s advertises endpoints that do not answer as one (RFC 8414 §2): %s", d.url, strings.Join(dead, "; "))
	}
	return nil
}

// probeEndpoint sends the endpoint named name a request without credentials.
func (s *scenario) probeEndpoint(ctx context.Context, name, u string) (*Exchange, error) {
	if name == "authorization_endpoint" {
		return s.send(ctx, http.MethodGet, u, nil, nil)
	}
	params := map[string]string{"token": "oauthconf-made-up-" + randomString(12)}
	if name == "token_endpoint" {
		params = map[string]string{"grant_type": profile.GrantClientCredentials}
	}
	body, ct := profile.EncodeBody(profile.EncodingForm, params)
	return s.send(ctx, http.MethodPost, u, http.Header{"Content-Type": {ct}, "Accept": {"application/json"}}, body)
}

// deadEndpoint says why ex is not the answer of a live endpoint called name,
// "" when it is one.
func deadEndpoint(p *profile.Profile, name string, ex *Exchange) string {
	switch {
	case ex.Status == http.StatusNotFound || ex.Status == http.StatusMethodNotAllowed || ex.Status == http.StatusGone:
		return " (nothing is served there)"
	case ex.Status >= 500:
		return " (a server error is no answer)"
	case name == "authorization_endpoint":
		return ""
	case name == "revocation_endpoint" && ex.Status == http.StatusOK:
		return ""
	case ex.Status < 400 || ex.Status > 499:
		return ", want a 4xx refusal of a request without client credentials"
	case p.Errors.Format != profile.ErrorFormatRFC6749:
		return ""
	}
	m, err := decodeJSONObject(ex.RespBody)
	if err != nil {
		return ", and its body is not an RFC 6749 §5.2 error object" + bodyHint(ex)
	}
	if _, ok := m["error"].(string); !ok {
		return `, and its body has no "error" string (RFC 6749 §5.2)` + bodyHint(ex)
	}
	return ""
}

func theMetadataAdvertisesAJWKSURI(ctx context.Context) error {
	s := fromCtx(ctx)
	d, err := s.metadataDocument(ctx)
	if err != nil {
		return err
	}
	if d.doc.JWKSURI == "" {
		return errSkip("the target's metadata has no jwks_uri (RFC 8414 §2: OPTIONAL)")
	}
	return nil
}

// RFC 8414 §2: jwks_uri is the "URL of the authorization server's JWK Set
// [JWK] document"; RFC 7517 §5 the set's format.
func theJWKSURIServesAJWKSet(ctx context.Context) error {
	s := fromCtx(ctx)
	d, err := s.metadataDocument(ctx)
	if err != nil {
		return err
	}
	e, err := s.fetchJWKS(ctx, d.doc.JWKSURI)
	if err != nil {
		return err
	}
	if len(e.set.Keys) == 0 {
		return failf("the JWK Set at %s has no keys (RFC 7517 §5)", d.doc.JWKSURI)
	}
	return nil
}
