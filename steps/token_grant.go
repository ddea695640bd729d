package steps

import (
	"context"

	"github.com/oauthconf/oauthconf/profile"
)

// registerTokenGrant adds the steps that hold the access token a profile's
// token_grant setting names. Features: bearer.feature, introspection.feature.
func registerTokenGrant(sc stepper) {
	sc.Step(`^the client holds an access token for the "([^"]*)" resource$`, wrap1(theClientHoldsAnAccessTokenForTheResource))
	sc.Step(`^the client holds an access token for introspection$`, wrap(theClientHoldsAnAccessTokenForIntrospection))
}

// holdAccessFrom obtains an access token with grant g, or, when g is "",
// with the first grant the profile supports (holdAccess). g comes from the
// profile's token_grant settings, which validation checks name a grant.
func (s *scenario) holdAccessFrom(ctx context.Context, g string) error {
	if g == "" {
		return s.holdAccess(ctx)
	}
	if g == profile.GrantRefreshToken {
		if err := s.holdRefresh(ctx); err != nil {
			return err
		}
		_, err := s.refreshOnce(ctx, reqMod{})
		return err
	}
	_, err := s.obtain(ctx, g)
	return err
}

// resourceGrant is resources.<name>.token_grant ("" for the default).
func (s *scenario) resourceGrant(name string) string {
	if r := s.t.p.Resources[name]; r != nil {
		return r.TokenGrant
	}
	return ""
}

// introspectionGrant is introspection.token_grant ("" for the default).
func (s *scenario) introspectionGrant() string {
	if i := s.t.p.Introspection; i != nil {
		return i.TokenGrant
	}
	return ""
}

func theClientHoldsAnAccessTokenForTheResource(ctx context.Context, name string) error {
	s := fromCtx(ctx)
	return s.holdAccessFrom(ctx, s.resourceGrant(name))
}

func theClientHoldsAnAccessTokenForIntrospection(ctx context.Context) error {
	s := fromCtx(ctx)
	return s.holdAccessFrom(ctx, s.introspectionGrant())
}

// pkceClient returns the client pkce.feature uses (authorize.pkce_client):
// the public client, or the main confidential one (RFC 9700 §2.1.1: PKCE
// for every client); by default the public client when one is configured.
func (s *scenario) pkceClient() (clientCreds, string, error) {
	choice := ""
	if a := s.t.p.Authorize; a != nil {
		choice = a.PKCEClient
	}
	cl, ru, havePublic := publicClient(s.t.creds)
	switch {
	case choice == profile.PKCEClientPublic && !havePublic:
		return clientCreds{}, "", errSkip("authorize.pkce_client is public, but no public client is configured: set public_client_id and public_redirect_uri")
	case choice == profile.PKCEClientPublic || (choice == "" && havePublic):
		return cl, ru, nil
	}
	ru, err := s.redirectURI()
	if err != nil {
		return clientCreds{}, "", err
	}
	return s.mainClient(), ru, nil
}
