package steps

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/oauthconf/oauthconf/profile"
)

// randomString returns n random bytes, base64url-encoded.
func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// authOption changes what authorize sends.
type authOption int

// withoutChallenge sends a code request without the S256 challenge that
// authorize.pkce: required otherwise adds (the downgrade check).
const withoutChallenge authOption = iota

// authorize sends an authorization request (RFC 6749 §4.1.1) as the
// resource owner's user agent (login.go): through any sign-in and consent
// pages to the first redirect to redirectURI, which is never requested.
// What it came to is in s.code.answer (s.code.auth is its last hop); a
// plain server's 302 is hop 1. Only a request without any answer is an
// error here: the Then steps judge the rest.
func (s *scenario) authorize(ctx context.Context, clientID, redirectURI, responseType, state string, extra url.Values, opts ...authOption) (*Exchange, error) {
	a := s.t.p.Authorize
	if a == nil || a.Path == "" {
		return nil, errSkip("profile %s has no authorization endpoint", s.t.p.Name)
	}
	q := url.Values{}
	for k, v := range a.Params {
		ev, err := s.t.creds.Expand(v)
		if err != nil {
			return nil, fmt.Errorf("authorize.params.%s: %w", k, err)
		}
		q.Set(k, ev)
	}
	q.Set("response_type", responseType)
	q.Set("client_id", clientID)
	if redirectURI != "" {
		q.Set("redirect_uri", redirectURI)
	}
	if state != "" {
		q.Set("state", state)
	}
	for k, vs := range extra {
		q[k] = vs
	}
	if responseType == "code" && a.PKCE == profile.PKCERequired && q.Get("code_challenge") == "" && !slices.Contains(opts, withoutChallenge) {
		// The target requires PKCE of every client (RFC 9700 §2.1.1): each code
		// request carries a fresh S256 challenge, its verifier kept for the exchange.
		v, c := pkcePair()
		q.Set("code_challenge", c)
		q.Set("code_challenge_method", "S256")
		s.code.verifier = v
		s.red.add(v)
	}
	stopAt := redirectURI
	if stopAt == "" {
		stopAt, _ = s.t.creds.Get("redirect_uri")
	}
	ans, err := s.interact(ctx, s.t.client.resolve(a.Path+"?"+q.Encode()), stopAt)
	s.code.answer, s.code.auth, s.last = ans, ans.ex, ans.ex
	if err != nil {
		return ans.ex, err
	}
	if ans.stop == stopNoAnswer && ans.hop == 1 {
		return ans.ex, ans.err // as any request without an answer
	}
	return ans.ex, nil
}

// rawParams returns the raw (still-encoded) parameters of the query (or
// fragment) of a Location header, the first value of each.
func rawParams(s string) map[string]string {
	out := map[string]string{}
	for _, kv := range strings.Split(s, "&") {
		k, v, _ := strings.Cut(kv, "=")
		if _, seen := out[k]; !seen && k != "" {
			out[k] = v
		}
	}
	return out
}

// splitLocation splits a Location into the URI before '?' or '#', its raw query
// and its raw fragment.
func splitLocation(loc string) (base, query, fragment string) {
	base, fragment, _ = strings.Cut(loc, "#")
	base, query, _ = strings.Cut(base, "?")
	return base, query, fragment
}

// expectCodeRedirect checks that the authorization request ended in a
// redirect to redirectURI carrying a code, and records the code (decoded
// once) for the exchange.
func (s *scenario) expectCodeRedirect(redirectURI string) error {
	loc, ex, err := s.answered()
	if err != nil {
		return err
	}
	if loc == "" {
		return failf("want a redirect (302 or 303) to %s with a code, got %s%s", redirectURI, ex.StatusText, bodyHint(ex))
	}
	base, query, _ := splitLocation(loc)
	if base != redirectURI {
		return failf("redirect goes to %q, want the registered redirect URI %q", s.red.text(loc), redirectURI)
	}
	raw, ok := rawParams(query)["code"]
	if !ok || raw == "" {
		if e := rawParams(query)["error"]; e != "" {
			return failf("redirect carries error=%s instead of a code", e)
		}
		return failf("redirect Location has no code parameter: %s", s.red.text(loc))
	}
	dec, err := url.QueryUnescape(raw)
	if err != nil {
		return failf("code in Location is not valid URL encoding: %v", err)
	}
	s.code.raw, s.code.value, s.code.redirect = raw, dec, redirectURI
	s.red.add(raw, dec)
	return nil
}

func (s *scenario) redirectURI() (string, error) {
	ru, ok := s.t.creds.Get("redirect_uri")
	if !ok || ru == "" {
		return "", errSkip("no redirect_uri credential for profile %s", s.t.p.Name)
	}
	return ru, nil
}

// getCode runs the authorization request for the main client and keeps the code.
func (s *scenario) getCode(ctx context.Context) error {
	if !s.t.p.Supports(profile.GrantAuthorizationCode) {
		return errSkip("profile %s does not support the authorization_code grant", s.t.p.Name)
	}
	ru, err := s.redirectURI()
	if err != nil {
		return err
	}
	cl := s.mainClient()
	if _, err := s.authorize(ctx, cl.id, ru, "code", "st-"+randomString(6), nil); err != nil {
		return err
	}
	s.code.client = cl
	return s.expectCodeRedirect(ru)
}

// exchangeRequest builds the code exchange for the current code.
func (s *scenario) exchangeRequest(code string, m reqMod) (*tokenRequest, error) {
	if m.extra == nil {
		m.extra = map[string]string{}
	}
	if _, set := m.extra["code"]; !set && m.rawCode == "" {
		m.extra["code"] = code
	}
	if _, set := m.extra["redirect_uri"]; !set && s.code.redirect != "" {
		m.extra["redirect_uri"] = s.code.redirect
	}
	if s.code.verifier != "" {
		if _, set := m.extra["code_verifier"]; !set {
			m.extra["code_verifier"] = s.code.verifier
		}
	}
	if m.client == nil && s.code.client.public {
		c := s.code.client
		m.client = &c
	}
	return s.tokenRequest(profile.GrantAuthorizationCode, m)
}

// exchange sends the code exchange and, on success, keeps the tokens.
func (s *scenario) exchange(ctx context.Context, code string, m reqMod) (*Exchange, error) {
	tr, err := s.exchangeRequest(code, m)
	if err != nil {
		return nil, err
	}
	ex, err := s.sendToken(ctx, tr)
	if err == nil && ex.Status == http.StatusOK {
		if t, perr := parseTokenResponse(ex, profile.GrantAuthorizationCode); perr == nil {
			s.keep(t)
		}
	}
	return ex, err
}

// keep records a successful token response as the current one.
func (s *scenario) keep(t *tokenResponse) {
	s.tok.current = t
	s.tok.all = append(s.tok.all, t)
	s.tok.grant = t.grant
	s.tok.access = t.str("access_token")
	if rt := t.str("refresh_token"); rt != "" {
		if s.tok.refresh != "" && s.tok.refresh != rt {
			s.tok.oldRefresh = s.tok.refresh
		}
		s.tok.refresh = rt
	}
	s.red.add(s.tok.access, t.str("refresh_token"))
}

// requestGrant sends a plain token request for grant g (no prerequisites).
func (s *scenario) requestGrant(ctx context.Context, g string, m reqMod) (*Exchange, error) {
	tr, err := s.tokenRequest(g, m)
	if err != nil {
		return nil, err
	}
	return s.sendToken(ctx, tr)
}

// implicitViaAuthorize reports whether the profile's implicit grant is the
// RFC 6749 §4.2 redirect (response_type=token) rather than a token-endpoint grant.
// The rule is the profile's (load follows it too).
func implicitViaAuthorize(p *profile.Profile) bool { return p.ImplicitViaAuthorize() }

// obtain runs the whole flow for grant g and expects a token. For
// authorization_code it first gets a code; for refresh_token it first gets a
// refresh token; for an authorize-endpoint implicit grant it reads the fragment.
func (s *scenario) obtain(ctx context.Context, g string) (*tokenResponse, error) {
	if !s.t.p.Supports(g) {
		return nil, errSkip("profile %s does not support the %s grant", s.t.p.Name, g)
	}
	switch {
	case g == profile.GrantAuthorizationCode:
		if err := s.getCode(ctx); err != nil {
			return nil, err
		}
		ex, err := s.exchange(ctx, s.code.value, reqMod{})
		if err != nil {
			return nil, err
		}
		return parseTokenResponse(ex, g)
	case g == profile.GrantRefreshToken:
		if err := s.holdRefresh(ctx); err != nil {
			return nil, err
		}
		return s.refreshOnce(ctx, reqMod{})
	case g == profile.GrantImplicit && implicitViaAuthorize(s.t.p):
		return s.implicitFragment(ctx)
	}
	ex, err := s.requestGrant(ctx, g, reqMod{})
	if err != nil {
		return nil, err
	}
	t, err := parseTokenResponse(ex, g)
	if err != nil {
		return nil, err
	}
	s.keep(t)
	return t, nil
}

// implicitFragment runs RFC 6749 §4.2.1 and decodes the §4.2.2 fragment.
func (s *scenario) implicitFragment(ctx context.Context) (*tokenResponse, error) {
	ru, err := s.redirectURI()
	if err != nil {
		return nil, err
	}
	cl := s.mainClient()
	if _, err := s.authorize(ctx, cl.id, ru, "token", "st-"+randomString(6), nil); err != nil {
		return nil, err
	}
	loc, ex, err := s.answered()
	if err != nil {
		return nil, err
	}
	if loc == "" {
		return nil, failf("want a redirect with the token in the fragment, got %s%s", ex.StatusText, bodyHint(ex))
	}
	base, _, frag := splitLocation(loc)
	if base != ru {
		return nil, failf("implicit redirect goes to %q, want %q", base, ru)
	}
	vals, err := url.ParseQuery(frag)
	if err != nil || vals.Get("access_token") == "" {
		return nil, failf("implicit redirect has no access_token in its fragment (RFC 6749 §4.2.2)")
	}
	fields := map[string]any{}
	for k := range vals {
		fields[k] = vals.Get(k)
	}
	t := &tokenResponse{ex: ex, fields: fields, fragment: true, grant: profile.GrantImplicit}
	s.keep(t)
	return t, nil
}

// holdRefresh obtains a refresh token with the first grant that issues one.
func (s *scenario) holdRefresh(ctx context.Context) error {
	for _, g := range []string{profile.GrantPassword, profile.GrantAuthorizationCode} {
		if !s.t.p.Supports(g) {
			continue
		}
		if gr := s.t.p.Grants[g]; gr.RefreshToken == "forbidden" {
			continue
		}
		if g == profile.GrantPassword && !s.t.creds.Has("username", "password") {
			continue
		}
		t, err := s.obtain(ctx, g)
		if err != nil {
			return err
		}
		if t.str("refresh_token") == "" {
			return failf("the %s grant issued no refresh_token, so the refresh cannot be tested%s", g, bodyHint(t.ex))
		}
		return nil
	}
	return errSkip("profile %s has no grant (password or authorization_code) that issues a refresh token", s.t.p.Name)
}

// refreshRequest builds a refresh_token grant request for token rt.
func (s *scenario) refreshRequest(rt string, m reqMod) (*tokenRequest, error) {
	if !s.t.p.Supports(profile.GrantRefreshToken) {
		return nil, errSkip("profile %s does not support the refresh_token grant", s.t.p.Name)
	}
	if m.extra == nil {
		m.extra = map[string]string{}
	}
	if _, set := m.extra["refresh_token"]; !set {
		m.extra["refresh_token"] = rt
	}
	return s.tokenRequest(profile.GrantRefreshToken, m)
}

// refreshOnce refreshes the current refresh token and expects success.
func (s *scenario) refreshOnce(ctx context.Context, m reqMod) (*tokenResponse, error) {
	tr, err := s.refreshRequest(s.tok.refresh, m)
	if err != nil {
		return nil, err
	}
	ex, err := s.sendToken(ctx, tr)
	if err != nil {
		return nil, err
	}
	t, err := parseTokenResponse(ex, profile.GrantRefreshToken)
	if err != nil {
		return nil, err
	}
	s.keep(t)
	return t, nil
}

// primaryGrant is the grant primaryRequest uses, or "" if the profile has none.
func (s *scenario) primaryGrant() string {
	for _, g := range []string{profile.GrantClientCredentials, profile.GrantAuthorizationCode, profile.GrantPassword} {
		if s.t.p.Supports(g) {
			return g
		}
	}
	return ""
}

// primaryRequest builds a valid request for the profile's main confidential
// grant (client_credentials, else authorization_code with a fresh code, else
// password), for the request-handling checks.
func (s *scenario) primaryRequest(ctx context.Context, m reqMod) (*tokenRequest, string, error) {
	p := s.t.p
	switch {
	case p.Supports(profile.GrantClientCredentials):
		tr, err := s.tokenRequest(profile.GrantClientCredentials, m)
		return tr, profile.GrantClientCredentials, err
	case p.Supports(profile.GrantAuthorizationCode):
		if err := s.getCode(ctx); err != nil {
			return nil, "", err
		}
		tr, err := s.exchangeRequest(s.code.value, m)
		return tr, profile.GrantAuthorizationCode, err
	case p.Supports(profile.GrantPassword):
		tr, err := s.tokenRequest(profile.GrantPassword, m)
		return tr, profile.GrantPassword, err
	}
	return nil, "", errSkip("profile %s has no client_credentials, authorization_code or password grant", p.Name)
}

// pkcePair returns a fresh RFC 7636 §4.1 verifier and its S256 challenge.
func pkcePair() (verifier, challenge string) {
	verifier = randomString(32)
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// holdAccess obtains an access token with the first grant the profile supports.
func (s *scenario) holdAccess(ctx context.Context) error {
	for _, g := range []string{profile.GrantClientCredentials, profile.GrantPassword, profile.GrantAuthorizationCode, profile.GrantImplicit} {
		if s.t.p.Supports(g) {
			_, err := s.obtain(ctx, g)
			return err
		}
	}
	return errSkip("profile %s has no grant that issues an access token", s.t.p.Name)
}

// postAsClient posts a form to an endpoint beside the token endpoint
// (revocation, introspection), authenticating cl the way the profile's token
// endpoint does (RFC 6749 §2.3.1); cl nil sends no client credentials.
func (s *scenario) postAsClient(ctx context.Context, path string, params map[string]string, cl *clientCreds) (*Exchange, error) {
	var opts []profile.RequestOption
	if cl != nil {
		opts = append(opts, cl.option())
	}
	r := s.t.p.NewEndpointRequest(path, params, opts...)
	return s.send(ctx, r.Method, r.Path, r.Header, r.Body)
}
