package steps

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/cucumber/godog"
	"github.com/oauthconf/oauthconf/profile"
)

// registerClientAuthentication adds the client authentication steps of every
// request that authenticates a confidential client (RFC 6749 §2.3, §3.2.1;
// RFC 7009 §2.1; RFC 7662 §2.1): the token endpoint's grants, revocation and
// introspection, each with a wrong secret, its client_id without the secret
// and no client authentication; the PKCE verifier that never replaces the
// secret; a public client's refresh token bound to it (§6). Feature:
// client_authentication.feature; the redirect_uri steps of
// authorization_code.feature (RFC 6749 §3.1.2.3, §4.1.3) too.
func registerClientAuthentication(sc stepper) {
	sc.Step(`^the client can make the "([^"]*)" request with its own client authentication$`, wrap1(theClientCanMakeTheRequestWithItsOwnClientAuthentication))
	sc.Step(`^the client makes the "([^"]*)" request with (a wrong client secret|its client_id but no secret|no client authentication)$`, wrap2(theClientMakesTheRequestWith))
	sc.Step(`^the revocation request is refused with "([^"]*)"$`, wrap1(theRevocationRequestIsRefusedWith))
	sc.Step(`^the client can redeem a code issued with an S256 challenge$`, wrap(theClientCanRedeemACodeIssuedWithAnS256Challenge))
	sc.Step(`^the client has an authorization code issued with an S256 challenge$`, wrap(theClientHasAnAuthorizationCodeIssuedWithAnS256Challenge))
	sc.Step(`^the client exchanges the code with the right code verifier but no client secret$`, wrap(theClientExchangesTheCodeWithTheRightCodeVerifierButNoClientSecret))
	sc.Step(`^the public client holds a refresh token it can refresh$`, wrap(thePublicClientHoldsARefreshTokenItCanRefresh))
	sc.Step(`^the client refreshes the public client's refresh token with its own credentials$`, wrap(theClientRefreshesThePublicClientsRefreshTokenWithItsOwnCredentials))
	sc.Step(`^the client's own revocation of a refresh token stops it working$`, wrap(theClientsOwnRevocationOfARefreshTokenStopsItWorking))
	sc.Step(`^the second client revokes the refresh token with its own credentials$`, wrap(theSecondClientRevokesTheRefreshTokenWithItsOwnCredentials))
	sc.Step(`^the refresh token still works$`, wrap(theRefreshTokenStillWorks))
	sc.Step(`^the client has an authorization code requested without redirect_uri$`, wrap(theClientHasAnAuthorizationCodeRequestedWithoutRedirectURI))
	sc.Step(`^the client requests authorization without redirect_uri$`, wrap(theClientRequestsAuthorizationWithoutRedirectURI))
	sc.Step(`^the client exchanges the code without redirect_uri$`, wrap(theClientExchangesTheCodeWithoutRedirectURI))
}

// Request kinds of the client authentication outlines besides the grants.
const (
	requestRevocation    = "revocation"
	requestIntrospection = "introspection"
)

// Control: the request the faults are measured against, made with the
// client's own authentication, succeeds: a token for a grant, a 200 for a
// revocation, an "active" answer for an introspection.
func theClientCanMakeTheRequestWithItsOwnClientAuthentication(ctx context.Context, what string) error {
	s := fromCtx(ctx)
	switch what {
	case requestRevocation:
		tok, hint, err := s.revocableToken(ctx)
		if err != nil {
			return control(err)
		}
		ex, err := s.revoke(ctx, tok, hint)
		if err != nil {
			return control(err)
		}
		if ex.Status != http.StatusOK {
			return control(failf("revocation with the client's own authentication answered %s, want 200 (RFC 7009 §2.2)%s", ex.StatusText, bodyHint(ex)))
		}
		return nil
	case requestIntrospection:
		return control(theClientHoldsATokenThatIntrospectsAsActive(ctx))
	}
	_, err := s.obtain(ctx, what)
	return control(err)
}

// theClientMakesTheRequestWith sends the request of kind what (a grant,
// "revocation" or "introspection") with one client authentication fault,
// placed the way the profile authenticates the client there (HTTP Basic, or
// client_id and client_secret in the form or JSON body).
func theClientMakesTheRequestWith(ctx context.Context, what, fault string) error {
	s := fromCtx(ctx)
	if err := s.confidentialOn(what); err != nil {
		return err
	}
	cl := s.mainClient()
	var m reqMod
	switch fault {
	case "a wrong client secret":
		cl.secret = "wrong-" + randomString(6)
		m.client = &cl
	case "its client_id but no secret":
		cl.secret = ""
		m.auth = profile.ClientAuthNone
	default: // no client authentication
		m.noClientAuth = true
	}
	switch what {
	case requestRevocation, requestIntrospection:
		return s.tokenQueryWith(ctx, what, cl, m)
	case profile.GrantAuthorizationCode:
		if err := s.getCode(ctx); err != nil {
			return control(err)
		}
		_, err := s.exchange(ctx, s.code.value, m)
		return err
	case profile.GrantRefreshToken:
		if s.tok.refresh == "" {
			return harnessf("no refresh token held: the control step must run first")
		}
		tr, err := s.refreshRequest(s.tok.refresh, m)
		if err != nil {
			return err
		}
		_, err = s.sendToken(ctx, tr)
		return err
	}
	_, err := s.requestGrant(ctx, what, m)
	return err
}

// confidentialOn skips the scenario when the request kind what does not
// authenticate a confidential client in this profile (confidentialReason).
func (s *scenario) confidentialOn(what string) error {
	if why := confidentialReason(s.t, what); why != "" {
		return skipError{reason: why}
	}
	return nil
}

// confidentialReason is why the request kind what authenticates no
// confidential client in this profile ("" if it does): a grant with
// client_auth none (a public client has no secret to get wrong, RFC 6749
// §2.1), a main client without a secret, or no such endpoint.
func confidentialReason(t *target, what string) string {
	p := t.p
	if !t.creds.Has("client_id", "client_secret") {
		return fmt.Sprintf("profile %s has no client_secret: no confidential client to authenticate", p.Name)
	}
	switch what {
	case requestRevocation:
		if p.Revocation == nil || p.Revocation.Path == "" {
			return fmt.Sprintf("profile %s has no revocation endpoint", p.Name)
		}
		return ""
	case requestIntrospection:
		if p.Introspection == nil || p.Introspection.Path == "" {
			return fmt.Sprintf("profile %s has no introspection endpoint (introspection.path)", p.Name)
		}
		return ""
	}
	if p.ClientAuthFor(what) == profile.ClientAuthNone {
		return fmt.Sprintf("profile %s authenticates no client on the %s grant (client_auth: none): a public client has no secret to get wrong", p.Name, what)
	}
	return ""
}

// tokenQueryWith revokes or introspects a token the client holds, with the
// fault m applied to the client cl: the wrong secret in cl, the client_id
// alone (m.auth none), or nothing (m.noClientAuth).
func (s *scenario) tokenQueryWith(ctx context.Context, what string, cl clientCreds, m reqMod) error {
	var who *clientCreds
	switch {
	case m.noClientAuth:
	case m.auth == profile.ClientAuthNone:
		who = &clientCreds{id: cl.id, public: true} // the id alone, as a public client sends it
	default:
		who = &cl
	}
	if what == requestIntrospection {
		_, err := s.introspect(ctx, s.intro.probe, s.intro.kind, who)
		return err
	}
	tok, hint, err := s.revocableToken(ctx)
	if err != nil {
		return control(err)
	}
	params := map[string]string{"token": tok, "token_type_hint": hint}
	ex, err := s.postAsClient(ctx, s.t.p.Revocation.Path, params, who)
	s.last = ex
	return err
}

// revocableToken obtains a fresh token to revoke: a refresh token, whose
// revocation RFC 7009 §2 makes a MUST, else an access token (a SHOULD).
func (s *scenario) revocableToken(ctx context.Context) (tok, hint string, err error) {
	err = s.holdRefresh(ctx)
	if err == nil {
		return s.tok.refresh, "refresh_token", nil
	}
	if !errors.Is(err, godog.ErrSkip) {
		return "", "", err
	}
	if err := s.holdAccess(ctx); err != nil {
		return "", "", err
	}
	return s.tok.access, "access_token", nil
}

func theRevocationRequestIsRefusedWith(ctx context.Context, codes string) error {
	s := fromCtx(ctx)
	return checkErrorCode(s.t.p, s.last, codes)
}

// codeWithChallenge gets a code for the main client with a fresh S256
// challenge (RFC 7636 §4.3), keeping the verifier for the exchange.
func (s *scenario) codeWithChallenge(ctx context.Context) error {
	if a := s.t.p.Authorize; a == nil || a.PKCE == "" {
		return errSkip("profile %s does not document PKCE (authorize.pkce)", s.t.p.Name)
	}
	if !s.t.p.Supports(profile.GrantAuthorizationCode) {
		return errSkip("profile %s does not support the authorization_code grant", s.t.p.Name)
	}
	ru, err := s.redirectURI()
	if err != nil {
		return err
	}
	return s.codeWithS256(ctx, s.mainClient(), ru)
}

// Control: the confidential client redeems a PKCE code with its verifier and
// its own client authentication.
func theClientCanRedeemACodeIssuedWithAnS256Challenge(ctx context.Context) error {
	s := fromCtx(ctx)
	if err := s.codeWithChallenge(ctx); err != nil {
		return control(err)
	}
	ex, err := s.exchange(ctx, s.code.value, reqMod{})
	if err != nil {
		return control(err)
	}
	_, err = parseTokenResponse(ex, profile.GrantAuthorizationCode)
	return control(err)
}

func theClientHasAnAuthorizationCodeIssuedWithAnS256Challenge(ctx context.Context) error {
	s := fromCtx(ctx)
	return control(s.codeWithChallenge(ctx))
}

// The verifier proves the exchange comes from whoever asked for the code; it
// does not authenticate the client (RFC 6749 §3.2.1: a confidential client
// authenticates on every token request). The client_id goes in the body, as a
// public client's would.
func theClientExchangesTheCodeWithTheRightCodeVerifierButNoClientSecret(ctx context.Context) error {
	s := fromCtx(ctx)
	if s.t.p.ClientAuthFor(profile.GrantAuthorizationCode) == profile.ClientAuthNone || !s.t.creds.Has("client_secret") {
		return errSkip("profile %s authenticates no confidential client on the authorization_code grant", s.t.p.Name)
	}
	_, err := s.exchange(ctx, s.code.value, reqMod{auth: profile.ClientAuthNone})
	return err
}

// Control: the public client gets a refresh token with a PKCE code and
// refreshes it itself, so that a refusal to another client is about the
// binding, not about refreshing.
func thePublicClientHoldsARefreshTokenItCanRefresh(ctx context.Context) error {
	s := fromCtx(ctx)
	if !s.t.p.Supports(profile.GrantRefreshToken) {
		return errSkip("profile %s does not support the refresh_token grant", s.t.p.Name)
	}
	if err := thePublicClientHasAnAuthorizationCodeIssuedWithAnS256Challenge(ctx); err != nil {
		return control(err)
	}
	ex, err := s.exchange(ctx, s.code.value, reqMod{})
	if err != nil {
		return control(err)
	}
	t, err := parseTokenResponse(ex, profile.GrantAuthorizationCode)
	if err != nil {
		return control(err)
	}
	if t.str("refresh_token") == "" {
		return errSkip("the server issued the public client no refresh token (RFC 6749 §4.1.4: optional)")
	}
	pub, _, _ := publicClient(s.t.creds)
	_, err = s.refreshOnce(ctx, reqMod{client: &pub})
	return control(err)
}

func theClientRefreshesThePublicClientsRefreshTokenWithItsOwnCredentials(ctx context.Context) error {
	s := fromCtx(ctx)
	if !s.t.creds.Has("client_id", "client_secret") {
		return errSkip("profile %s has no confidential client to try the public client's refresh token", s.t.p.Name)
	}
	cl := s.mainClient()
	tr, err := s.refreshRequest(s.tok.refresh, reqMod{client: &cl})
	if err != nil {
		return err
	}
	_, err = s.sendToken(ctx, tr)
	return err
}

// Control: revocation works for the token's own client (RFC 7009 §2.1):
// revoked, the refresh token is refused; otherwise a token that survives
// another client's revocation proves nothing.
func theClientsOwnRevocationOfARefreshTokenStopsItWorking(ctx context.Context) error {
	s := fromCtx(ctx)
	if err := s.holdRefresh(ctx); err != nil {
		return control(err)
	}
	rt := s.tok.refresh
	ex, err := s.revoke(ctx, rt, "refresh_token")
	if err != nil {
		return control(err)
	}
	if ex.Status != http.StatusOK {
		return control(failf("the client's own revocation answered %s, want 200 (RFC 7009 §2.2)%s", ex.StatusText, bodyHint(ex)))
	}
	tr, err := s.refreshRequest(rt, reqMod{})
	if err != nil {
		return err
	}
	ex, err = s.sendToken(ctx, tr)
	if err != nil {
		return control(err)
	}
	if ex.Status < 400 || ex.Status >= 500 {
		return control(failf("the refresh of the refresh token the client revoked answered %s, want a refusal (4xx; RFC 7009 §2.1)%s", ex.StatusText, bodyHint(ex)))
	}
	return nil
}

func theSecondClientRevokesTheRefreshTokenWithItsOwnCredentials(ctx context.Context) error {
	s := fromCtx(ctx)
	cl, ok := otherClient(s.t.creds)
	if !ok {
		return errSkip("no second client: set other_client_id and other_client_secret")
	}
	ex, err := s.postAsClient(ctx, s.t.p.Revocation.Path, map[string]string{"token": s.tok.refresh, "token_type_hint": "refresh_token"}, &cl)
	s.last = ex
	return err
}

// RFC 7009 §2.1: the server "verifies whether the token was issued to the
// client making the revocation request"; the answer to another client may be
// an error or, as for an invalid token, 200 (§2.2): what counts is that the
// token was not revoked.
func theRefreshTokenStillWorks(ctx context.Context) error {
	s := fromCtx(ctx)
	if s.last != nil && s.last.Status >= 500 {
		return failf("the revocation request answered %s: a server error is no refusal%s", s.last.StatusText, bodyHint(s.last))
	}
	if _, err := s.refreshOnce(ctx, reqMod{}); err != nil {
		return failf("the second client's revocation request revoked the client's refresh token (RFC 7009 §2.1: the token must have been issued to the client that revokes it): %v", err)
	}
	return nil
}

// authorizeWithoutRedirectURI sends the main client's code request without
// redirect_uri (RFC 6749 §4.1.1: OPTIONAL), where the profile says the
// client has exactly one registered redirect URI.
func (s *scenario) authorizeWithoutRedirectURI(ctx context.Context) (*Exchange, error) {
	if a := s.t.p.Authorize; a == nil || !a.RedirectURIOptional {
		return nil, errSkip("profile %s does not say the client's one registered redirect URI may be omitted (authorize.redirect_uri_optional)", s.t.p.Name)
	}
	if _, err := s.redirectURI(); err != nil {
		return nil, err
	}
	cl := s.mainClient()
	s.code.client = cl
	return s.authorize(ctx, cl.id, "", "code", "st-"+randomString(6), nil)
}

func theClientRequestsAuthorizationWithoutRedirectURI(ctx context.Context) error {
	s := fromCtx(ctx)
	_, err := s.authorizeWithoutRedirectURI(ctx)
	return err
}

// Control: a code from an authorization request without redirect_uri,
// delivered to the registered URI.
func theClientHasAnAuthorizationCodeRequestedWithoutRedirectURI(ctx context.Context) error {
	s := fromCtx(ctx)
	if _, err := s.authorizeWithoutRedirectURI(ctx); err != nil {
		return control(err)
	}
	ru, _ := s.redirectURI()
	if err := s.expectCodeRedirect(ru); err != nil {
		return control(err)
	}
	s.code.redirect = "" // the request carried none, so the code is bound to none
	return nil
}

// RFC 6749 §4.1.3: redirect_uri is "REQUIRED, if the "redirect_uri"
// parameter was included in the authorization request": here it was not,
// so the exchange leaves it out (also where the profile declares it).
func theClientExchangesTheCodeWithoutRedirectURI(ctx context.Context) error {
	s := fromCtx(ctx)
	_, err := s.exchange(ctx, s.code.value, reqMod{extra: map[string]string{"redirect_uri": ""}})
	return err
}

// thePublicClientHasAnAuthorizationCodeIssuedWithAnS256Challenge gets a code
// for the public client (public_client_id), whatever client pkce.feature uses.
func thePublicClientHasAnAuthorizationCodeIssuedWithAnS256Challenge(ctx context.Context) error {
	s := fromCtx(ctx)
	cl, ru, ok := publicClient(s.t.creds)
	if !ok {
		return errSkip("no public client: set public_client_id and public_redirect_uri")
	}
	return s.codeWithS256(ctx, cl, ru)
}
