package steps

import (
	"context"
	"net/url"

	"github.com/oauthconf/oauthconf/profile"
)

// registerPKCE adds the PKCE steps (RFC 7636, RFC 9700 §2.1.1). Feature:
// pkce.feature.
func registerPKCE(sc stepper) {
	sc.Step(`^the PKCE client has an authorization code issued with an S256 challenge$`, wrap(thePKCEClientHasAnAuthorizationCodeIssuedWithAnS256Challenge))
	sc.Step(`^the PKCE client exchanges the code with the right code verifier$`, wrap(thePKCEClientExchangesTheCodeWithTheRightCodeVerifier))
	sc.Step(`^the PKCE client exchanges the code with a wrong code verifier$`, wrap(thePKCEClientExchangesTheCodeWithAWrongCodeVerifier))
	sc.Step(`^the PKCE client exchanges the code without a code verifier$`, wrap(thePKCEClientExchangesTheCodeWithoutACodeVerifier))
	sc.Step(`^the client requests authorization without a code challenge$`, wrap(theClientRequestsAuthorizationWithoutACodeChallenge))
	sc.Step(`^the client exchanges the code with a code verifier$`, wrap(theClientExchangesTheCodeWithACodeVerifier))
	sc.Step(`^the PKCE client requests authorization with code_challenge_method "([^"]*)"$`, wrap1(thePKCEClientRequestsAuthorizationWithCodeChallengeMethod))
	sc.Step(`^the authorization request is refused with "([^"]*)"$`, wrap1(theAuthorizationRequestIsRefusedWith))
}

func thePKCEClientHasAnAuthorizationCodeIssuedWithAnS256Challenge(ctx context.Context) error {
	s := fromCtx(ctx)
	cl, ru, err := s.pkceClient()
	if err != nil {
		return err
	}
	return s.codeWithS256(ctx, cl, ru)
}

// codeWithS256 gets a code for client cl at redirect URI ru with a fresh
// S256 challenge (RFC 7636 §4.2, §4.3), keeping the verifier for the exchange.
func (s *scenario) codeWithS256(ctx context.Context, cl clientCreds, ru string) error {
	v, c := pkcePair()
	if _, err := s.authorize(ctx, cl.id, ru, "code", "st-"+randomString(6), url.Values{"code_challenge": {c}, "code_challenge_method": {"S256"}}); err != nil {
		return err
	}
	s.code.client = cl
	if err := s.expectCodeRedirect(ru); err != nil {
		return err
	}
	s.code.verifier = v
	s.red.add(v)
	return nil
}

func thePKCEClientExchangesTheCodeWithTheRightCodeVerifier(ctx context.Context) error {
	s := fromCtx(ctx)
	_, err := s.exchange(ctx, s.code.value, reqMod{})
	return err
}

func thePKCEClientExchangesTheCodeWithAWrongCodeVerifier(ctx context.Context) error {
	s := fromCtx(ctx)
	wrong, _ := pkcePair()
	_, err := s.exchange(ctx, s.code.value, reqMod{extra: map[string]string{"code_verifier": wrong}})
	return err
}

func thePKCEClientExchangesTheCodeWithoutACodeVerifier(ctx context.Context) error {
	s := fromCtx(ctx)
	s.code.verifier = ""
	_, err := s.exchange(ctx, s.code.value, reqMod{})
	return err
}

func theClientRequestsAuthorizationWithoutACodeChallenge(ctx context.Context) error {
	s := fromCtx(ctx)
	ru, err := s.redirectURI()
	if err != nil {
		return err
	}
	_, err = s.authorize(ctx, s.mainClient().id, ru, "code", "st-"+randomString(6), nil, withoutChallenge)
	s.code.redirect = ru
	return err
}

func theClientExchangesTheCodeWithACodeVerifier(ctx context.Context) error {
	s := fromCtx(ctx)
	if a := s.t.p.Authorize; a != nil && a.PKCE == profile.PKCERequired {
		return errSkip("profile %s requires PKCE of every client (authorize.pkce: required): no code is issued without a challenge", s.t.p.Name)
	}
	v, _ := pkcePair()
	_, err := s.exchange(ctx, s.code.value, reqMod{extra: map[string]string{"code_verifier": v}})
	return err
}

func thePKCEClientRequestsAuthorizationWithCodeChallengeMethod(ctx context.Context, method string) error {
	s := fromCtx(ctx)
	cl, ru, err := s.pkceClient()
	if err != nil {
		return err
	}
	_, c := pkcePair()
	_, err = s.authorize(ctx, cl.id, ru, "code", "st-"+randomString(6), url.Values{"code_challenge": {c}, "code_challenge_method": {method}})
	s.code.redirect = ru
	return err
}

func theAuthorizationRequestIsRefusedWith(ctx context.Context, code string) error {
	s := fromCtx(ctx)
	loc, ex, err := s.answered()
	if err != nil {
		return err
	}
	if loc != "" {
		return s.expectErrorRedirect(s.code.redirect, code)
	}
	if ex.Status < 400 || ex.Status > 499 {
		return failf("want the authorization request refused with %s (an error redirect or 400), got %s", code, ex.StatusText)
	}
	if s.t.p.Errors.Format == profile.ErrorFormatRFC6749 {
		if ve, err := parseError(s.t.p, ex); err != nil {
			return err
		} else if ve.code != code {
			return failf("want error %s, got %q", code, ve.code)
		}
	}
	return nil
}
