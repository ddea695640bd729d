package steps

import (
	"context"
	"net/http"
	"net/url"

	"github.com/oauthconf/oauthconf/profile"
)

// registerClientAuth adds the negative token requests and their Then steps
// (RFC 6749 §2.3, §3.2, §5.2): wrong or missing client authentication,
// unknown clients, missing or repeated parameters, GET, credentials in the
// query. Feature: errors.feature and the grants' features.
func registerClientAuth(sc stepper) {
	sc.Step(`^the token request is refused with "([^"]*)"$`, wrap1(theTokenRequestIsRefusedWith))
	sc.Step(`^the token request is refused$`, wrap(theTokenRequestIsRefused))
	sc.Step(`^the response is a 4xx without an access token$`, wrap(theResponseIsA4xxWithoutAnAccessToken))
	sc.Step(`^the response is 401 with a "([^"]*)" WWW-Authenticate challenge$`, wrap1(theResponseIs401WithAWWWAuthenticateChallenge))
	sc.Step(`^the public client requests a "([^"]*)" token$`, wrap1(thePublicClientRequestsAToken))
	sc.Step(`^the client requests a token with a wrong client secret via HTTP Basic$`, wrap(theClientRequestsATokenWithAWrongClientSecretViaHTTPBasic))
	sc.Step(`^the client requests a "([^"]*)" token with a wrong password$`, wrap1(theClientRequestsATokenWithAWrongPassword))
	sc.Step(`^an unregistered client requests a "([^"]*)" token$`, wrap1(anUnregisteredClientRequestsAToken))
	sc.Step(`^the client requests a token with grant_type "([^"]*)"$`, wrap1(theClientRequestsATokenWithGrantType))
	sc.Step(`^the client requests a token without grant_type$`, wrap(theClientRequestsATokenWithoutGrantType))
	sc.Step(`^the client requests a "([^"]*)" token without the "([^"]*)" parameter$`, wrap2(theClientRequestsATokenWithoutTheParameter))
	sc.Step(`^the client requests a token with its own client authentication$`, wrap(theClientRequestsATokenWithItsOwnClientAuthentication))
	sc.Step(`^the client requests a token with its client credentials in the query string$`, wrap(theClientRequestsATokenWithItsClientCredentialsInTheQueryString))
	sc.Step(`^the client requests a token with GET$`, wrap(theClientRequestsATokenWithGET))
	sc.Step(`^the client requests a token with the grant_type parameter repeated$`, wrap(theClientRequestsATokenWithTheGrantTypeParameterRepeated))
	sc.Step(`^the client requests a token with an unknown parameter$`, wrap(theClientRequestsATokenWithAnUnknownParameter))
}

func theTokenRequestIsRefusedWith(ctx context.Context, codes string) error {
	s := fromCtx(ctx)
	return checkErrorCode(s.t.p, s.last, codes)
}

func theTokenRequestIsRefused(ctx context.Context) error {
	s := fromCtx(ctx)
	_, err := checkRefused(s.t.p, s.last)
	return err
}

func theResponseIsA4xxWithoutAnAccessToken(ctx context.Context) error {
	s := fromCtx(ctx)
	ex := s.last
	if ex.Status < 400 || ex.Status > 499 {
		return failf("want a 4xx (e.g. 405 Method Not Allowed), got %s%s", ex.StatusText, bodyHint(ex))
	}
	if m, err := decodeJSONObject(ex.RespBody); err == nil && m["access_token"] != nil {
		return failf("the response carries an access_token")
	}
	return nil
}

func theResponseIs401WithAWWWAuthenticateChallenge(ctx context.Context, scheme string) error {
	s := fromCtx(ctx)
	ex := s.last
	if ex.Status != http.StatusUnauthorized {
		return failf("want 401 for invalid_client via the Authorization header (RFC 6749 §5.2), got %s", ex.StatusText)
	}
	if hasChallenge(ex, scheme) {
		return nil
	}
	return failf("401 without a WWW-Authenticate %s challenge (RFC 6749 §5.2); got %q", scheme, ex.Header("WWW-Authenticate"))
}

func thePublicClientRequestsAToken(ctx context.Context, g string) error {
	s := fromCtx(ctx)
	cl, _, _ := publicClient(s.t.creds)
	_, err := s.requestGrant(ctx, g, reqMod{client: &cl})
	return err
}

func theClientRequestsATokenWithAWrongClientSecretViaHTTPBasic(ctx context.Context) error {
	s := fromCtx(ctx)
	cl := s.mainClient()
	cl.secret = "wrong-" + randomString(6)
	tr, _, err := s.primaryRequest(ctx, reqMod{client: &cl, auth: profile.ClientAuthBasic})
	if err != nil {
		return err
	}
	_, err = s.sendToken(ctx, tr)
	return err
}

func theClientRequestsATokenWithAWrongPassword(ctx context.Context, g string) error {
	s := fromCtx(ctx)
	_, err := s.requestGrant(ctx, g, reqMod{extra: map[string]string{"password": "wrong-" + randomString(6)}})
	return err
}

func anUnregisteredClientRequestsAToken(ctx context.Context, g string) error {
	s := fromCtx(ctx)
	cl := clientCreds{id: "oauthconf-unknown-client", secret: "unknown-" + randomString(6)}
	extra := map[string]string{}
	if _, fixed := s.t.p.Grants[g].Params["client_id"]; fixed {
		extra["client_id"] = cl.id
	}
	_, err := s.requestGrant(ctx, g, reqMod{client: &cl, extra: extra})
	return err
}

func theClientRequestsATokenWithGrantType(ctx context.Context, gt string) error {
	s := fromCtx(ctx)
	return s.sendPrimary(ctx, reqMod{extra: map[string]string{"grant_type": gt}})
}

func theClientRequestsATokenWithoutGrantType(ctx context.Context) error {
	s := fromCtx(ctx)
	return s.sendPrimary(ctx, reqMod{extra: map[string]string{"grant_type": ""}})
}

func theClientRequestsATokenWithoutTheParameter(ctx context.Context, g, param string) error {
	s := fromCtx(ctx)
	m := reqMod{extra: map[string]string{param: ""}}
	var tr *tokenRequest
	var err error
	switch g {
	case profile.GrantAuthorizationCode:
		if err = s.getCode(ctx); err != nil {
			return err
		}
		tr, err = s.exchangeRequest(s.code.value, m)
	case profile.GrantRefreshToken:
		if err = s.holdRefresh(ctx); err != nil {
			return err
		}
		tr, err = s.refreshRequest(s.tok.refresh, m)
	default:
		if param == "client_id" {
			m.noClientAuth = true
		}
		tr, err = s.tokenRequest(g, m)
	}
	if err != nil {
		return err
	}
	_, err = s.sendToken(ctx, tr)
	return err
}

func theClientRequestsATokenWithItsOwnClientAuthentication(ctx context.Context) error {
	s := fromCtx(ctx)
	return s.sendPrimary(ctx, reqMod{})
}

func theClientRequestsATokenWithItsClientCredentialsInTheQueryString(ctx context.Context) error {
	s := fromCtx(ctx)
	cl := s.mainClient()
	return s.sendPrimary(ctx, reqMod{noClientAuth: true, query: url.Values{"client_id": {cl.id}, "client_secret": {cl.secret}}})
}

func theClientRequestsATokenWithGET(ctx context.Context) error {
	s := fromCtx(ctx)
	return s.sendPrimary(ctx, reqMod{method: http.MethodGet})
}

func theClientRequestsATokenWithTheGrantTypeParameterRepeated(ctx context.Context) error {
	s := fromCtx(ctx)
	tr, g, err := s.primaryRequest(ctx, reqMod{})
	if err != nil {
		return err
	}
	tr.Body = append(tr.Body, []byte("&grant_type="+url.QueryEscape(g))...)
	_, err = s.sendToken(ctx, tr)
	return err
}

func theClientRequestsATokenWithAnUnknownParameter(ctx context.Context) error {
	s := fromCtx(ctx)
	return s.sendPrimary(ctx, reqMod{extra: map[string]string{"oauthconf_unknown_param": "ignored"}})
}

// sendPrimary sends the primary confidential grant's request, modified.
func (s *scenario) sendPrimary(ctx context.Context, m reqMod) error {
	tr, _, err := s.primaryRequest(ctx, m)
	if err != nil {
		return err
	}
	_, err = s.sendToken(ctx, tr)
	return err
}
