package steps

import (
	"context"
	"strings"
)

// registerToken adds the token endpoint steps (RFC 6749 §5.1): obtaining
// tokens, the response's shape, token_type, expires_in, claims, no-store, and
// the controls that negative checks start from. Features:
// token_response.feature and the grants' features.
func registerToken(sc stepper) {
	sc.Step(`^the client can obtain a token$`, wrap(theClientCanObtainAToken))
	sc.Step(`^the client can obtain an? "([^"]*)" token$`, wrap1(theClientCanObtainAGrantToken))
	sc.Step(`^the client (?:requests|obtains) a token with the "([^"]*)" grant$`, wrap1(theClientRequestsATokenWithTheGrant))
	sc.Step(`^the client holds an access token from the "([^"]*)" grant$`, wrap1(theClientHoldsAnAccessTokenFromTheGrant))
	sc.Step(`^the client holds an access token$`, wrap(theClientHoldsAnAccessToken))
	sc.Step(`^the client obtains (\d+) tokens with the "([^"]*)" grant at once$`, wrap2(theClientObtainsNTokensWithTheGrantAtOnce))
	sc.Step(`^all access tokens and refresh tokens are different$`, wrap(allAccessTokensAndRefreshTokensAreDifferent))
	sc.Step(`^the token response is successful$`, wrap(theTokenResponseIsSuccessful))
	sc.Step(`^the token response is JSON$`, wrap(theTokenResponseIsJSON))
	sc.Step(`^the token response has the documented fields and JSON types$`, wrap(theTokenResponseHasTheDocumentedFieldsAndJSONTypes))
	sc.Step(`^token_type is the documented literal$`, wrap(tokenTypeIsTheDocumentedLiteral))
	sc.Step(`^expires_in is the documented lifetime$`, wrap(expiresInIsTheDocumentedLifetime))
	sc.Step(`^the access token's lifetime agrees with expires_in$`, wrap(theAccessTokensLifetimeAgreesWithExpiresIn))
	sc.Step(`^the access token carries the documented claims$`, wrap(theAccessTokenCarriesTheDocumentedClaims))
	sc.Step(`^the identifier field is the documented one$`, wrap(theIdentifierFieldIsTheDocumentedOne))
	sc.Step(`^the token response has Cache-Control no-store and Pragma no-cache$`, wrap(theTokenResponseHasCacheControlNoStoreAndPragmaNoCache))
	sc.Step(`^the token response carries no refresh token$`, wrap(theTokenResponseCarriesNoRefreshToken))
	sc.Step(`^the token response carries a refresh token as documented$`, wrap(theTokenResponseCarriesARefreshTokenAsDocumented))
}

// Controls: a refusal proves a rule only if the same request without the
// fault succeeds. Against a server that refuses everything (or is not an
// OAuth server at all: 404 everywhere) the negative checks fail here,
// naming the control, instead of passing.
func theClientCanObtainAToken(ctx context.Context) error {
	s := fromCtx(ctx)
	g := s.primaryGrant()
	if g == "" {
		return errSkip("profile %s has no client_credentials, authorization_code or password grant", s.t.p.Name)
	}
	_, err := s.obtain(ctx, g)
	return control(err)
}

func theClientCanObtainAGrantToken(ctx context.Context, g string) error {
	s := fromCtx(ctx)
	_, err := s.obtain(ctx, g)
	return control(err)
}

func theClientRequestsATokenWithTheGrant(ctx context.Context, g string) error {
	s := fromCtx(ctx)
	_, err := s.obtain(ctx, g)
	return err
}

func theClientHoldsAnAccessTokenFromTheGrant(ctx context.Context, g string) error {
	s := fromCtx(ctx)
	_, err := s.obtain(ctx, g)
	return err
}

func theTokenResponseIsSuccessful(ctx context.Context) error {
	s := fromCtx(ctx)
	if s.last == nil {
		return harnessf("no response to check (no request step ran before this Then step)")
	}
	if s.tok.current != nil && s.tok.current.ex == s.last {
		return nil
	}
	t, err := parseTokenResponse(s.last, s.grantOf())
	if err != nil {
		return err
	}
	s.keep(t)
	return nil
}

func theTokenResponseIsJSON(ctx context.Context) error {
	s := fromCtx(ctx)
	t := s.tok.current
	if t.fragment {
		return nil // RFC 6749 §4.2.2: the parameters travel in the fragment
	}
	if ct := t.ex.Header("Content-Type"); !isJSON(ct) {
		return failf("token response Content-Type is %q, want application/json (RFC 6749 §5.1)", ct)
	}
	return nil
}

func theTokenResponseHasTheDocumentedFieldsAndJSONTypes(ctx context.Context) error {
	s := fromCtx(ctx)
	return s.checkShape(s.tok.current)
}

func tokenTypeIsTheDocumentedLiteral(ctx context.Context) error {
	s := fromCtx(ctx)
	// The validity rule load shares (RFC 6749 §5.1, the documented literal),
	// then, without a literal, Bearer (RFC 6750 §4).
	if why := s.t.p.TokenTypeProblem(s.tok.current.field("token_type")); why != "" {
		return failf("%s", why)
	}
	if got := s.tok.current.str("token_type"); s.t.p.TokenType == "" && !strings.EqualFold(got, "bearer") {
		return failf("token_type is %q, want Bearer (RFC 6750 §4)", got)
	}
	return nil
}

func expiresInIsTheDocumentedLifetime(ctx context.Context) error {
	s := fromCtx(ctx)
	return s.checkExpiresIn(s.tok.current)
}

func theAccessTokensLifetimeAgreesWithExpiresIn(ctx context.Context) error {
	s := fromCtx(ctx)
	return s.checkLifetime(ctx, s.tok.current)
}

func theAccessTokenCarriesTheDocumentedClaims(ctx context.Context) error {
	s := fromCtx(ctx)
	return s.checkClaims(s.tok.current)
}

func theIdentifierFieldIsTheDocumentedOne(ctx context.Context) error {
	s := fromCtx(ctx)
	want := s.t.p.Grants[s.tok.current.grant].Identifier
	if got := s.tok.current.str("identifier"); got != want {
		return failf("identifier is %q, want %q", got, want)
	}
	return nil
}

func theTokenResponseHasCacheControlNoStoreAndPragmaNoCache(ctx context.Context) error {
	s := fromCtx(ctx)
	return checkNoStore(s.tok.current.ex, s.t.p.Headers.CheckPragma())
}

func theTokenResponseCarriesNoRefreshToken(ctx context.Context) error {
	s := fromCtx(ctx)
	if rt, ok := s.tok.current.fields["refresh_token"]; ok && rt != nil && rt != "" {
		return failf("the %s token response carries a refresh_token", s.tok.current.grant)
	}
	return nil
}

func theTokenResponseCarriesARefreshTokenAsDocumented(ctx context.Context) error {
	s := fromCtx(ctx)
	gr := s.t.p.Grants[s.tok.current.grant]
	has := s.tok.current.str("refresh_token") != ""
	switch {
	case gr.RefreshToken == "required" && !has:
		return failf("the %s token response has no refresh_token, but the profile documents one", s.tok.current.grant)
	case gr.RefreshToken == "forbidden" && has:
		return failf("the %s token response carries a refresh_token, but the profile says it must not", s.tok.current.grant)
	}
	return nil
}

func theClientHoldsAnAccessToken(ctx context.Context) error { return fromCtx(ctx).holdAccess(ctx) }
