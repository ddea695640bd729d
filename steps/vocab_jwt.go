package steps

import (
	"context"
	"net/http"
)

// registerJWT adds the JWS verification and algorithm-confusion steps (RFC
// 7515, RFC 7517, RFC 8725). Feature: jwt.feature.
func registerJWT(sc stepper) {
	sc.Step(`^the target publishes a JWK Set$`, wrap(theTargetPublishesAJWKSet))
	sc.Step(`^the client holds an access token that is a JWT$`, wrap(theClientHoldsAnAccessTokenThatIsAJWT))
	sc.Step(`^the access token is a JWT$`, wrap(theAccessTokenIsAJWT))
	sc.Step(`^the access token's signature verifies with the JWK Set$`, wrap(theAccessTokensSignatureVerifiesWithTheJWKSet))
	sc.Step(`^the client calls the "([^"]*)" resource with an unsigned copy of the access token$`, wrap1(theClientCallsTheResourceWithAnUnsignedCopy))
	sc.Step(`^the client calls the "([^"]*)" resource with copies of the access token signed HS256 with the public keys$`, wrap1(theClientCallsTheResourceWithHS256Copies))
}

func theTargetPublishesAJWKSet(ctx context.Context) error {
	s := fromCtx(ctx)
	uri, err := s.jwksURI(ctx)
	if err != nil {
		return err
	}
	_, err = s.jwks(ctx, uri, false)
	return control(err)
}

func theClientHoldsAnAccessTokenThatIsAJWT(ctx context.Context) error {
	s := fromCtx(ctx)
	if err := s.holdAccess(ctx); err != nil {
		return control(err)
	}
	return theAccessTokenIsAJWT(ctx)
}

func theAccessTokenIsAJWT(ctx context.Context) error {
	if _, _, ok := jwtParts(fromCtx(ctx).tok.access); !ok {
		return errNotJWT("access token")
	}
	return nil
}

func theAccessTokensSignatureVerifiesWithTheJWKSet(ctx context.Context) error {
	s := fromCtx(ctx)
	_, err := s.verifyJWKS(ctx, s.tok.access)
	return err
}

func theClientCallsTheResourceWithAnUnsignedCopy(ctx context.Context, name string) error {
	s := fromCtx(ctx)
	return s.callWithDerivedToken(ctx, name, unsignedCopy(s.tok.access))
}

// theClientCallsTheResourceWithHS256Copies sends each HS256 copy and stops at
// the first the resource does not answer 401 (s.last is that answer).
func theClientCallsTheResourceWithHS256Copies(ctx context.Context, name string) error {
	s := fromCtx(ctx)
	uri, err := s.jwksURI(ctx)
	if err != nil {
		return err
	}
	e, err := s.jwks(ctx, uri, false)
	if err != nil {
		return control(err)
	}
	copies := hs256Copies(s.tok.access, e.set)
	if len(copies) == 0 {
		return errSkip("the JWK Set at %s has no public key to key an HMAC with", uri)
	}
	s.red.add(copies...)
	for _, c := range copies {
		ex, err := s.callResource(ctx, name, "Bearer "+c, nil)
		if err != nil || ex.Status != http.StatusUnauthorized {
			return err
		}
	}
	return nil
}
