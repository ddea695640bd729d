package steps

import (
	"context"
	"net/http"

	"github.com/oauthconf/oauthconf/profile"
)

func registerRefresh(sc stepper) {
	sc.Step(`^the refresh does not widen the scope$`, wrap(theRefreshDoesNotWidenTheScope))
	sc.Step(`^the client holds a refresh token$`, wrap(theClientHoldsARefreshToken))
	sc.Step(`^the client (?:refreshes|has refreshed) the token$`, wrap(theClientRefreshesTheToken))
	sc.Step(`^the client refreshes with the old refresh token again$`, wrap(theClientRefreshesWithTheOldRefreshTokenAgain))
	sc.Step(`^the client refreshes with a made-up refresh token$`, wrap(theClientRefreshesWithAMadeUpRefreshToken))
	sc.Step(`^the second client refreshes the token with its own credentials$`, wrap(theSecondClientRefreshesTheTokenWithItsOwnCredentials))
	sc.Step(`^the client refreshes the token asking for a wider scope$`, wrap(theClientRefreshesTheTokenAskingForAWiderScope))
}

func theRefreshDoesNotWidenTheScope(ctx context.Context) error {
	s := fromCtx(ctx)
	return s.checkNotWidened()
}

func theClientHoldsARefreshToken(ctx context.Context) error {
	s := fromCtx(ctx)
	return s.holdRefresh(ctx)
}

func theClientRefreshesTheToken(ctx context.Context) error {
	s := fromCtx(ctx)
	tr, err := s.refreshRequest(s.refresh, reqMod{})
	if err != nil {
		return err
	}
	ex, err := s.sendToken(ctx, tr)
	if err != nil {
		return err
	}
	if ex.Status == http.StatusOK {
		if t, err := parseTokenResponse(ex, profile.GrantRefreshToken); err == nil {
			s.keep(t)
		}
	}
	return nil
}

func theClientRefreshesWithTheOldRefreshTokenAgain(ctx context.Context) error {
	s := fromCtx(ctx)
	if s.oldRefresh == "" {
		return failf("the refresh did not return a new refresh token, so rotation cannot be checked%s", bodyHint(s.last))
	}
	tr, err := s.refreshRequest(s.oldRefresh, reqMod{})
	if err != nil {
		return err
	}
	_, err = s.sendToken(ctx, tr)
	return err
}

func theClientRefreshesWithAMadeUpRefreshToken(ctx context.Context) error {
	s := fromCtx(ctx)
	tr, err := s.refreshRequest("oauthconf-made-up-"+randomString(24), reqMod{})
	if err != nil {
		return err
	}
	_, err = s.sendToken(ctx, tr)
	return err
}

func theSecondClientRefreshesTheTokenWithItsOwnCredentials(ctx context.Context) error {
	s := fromCtx(ctx)
	cl, _ := otherClient(s.t.creds)
	tr, err := s.refreshRequest(s.refresh, reqMod{client: &cl})
	if err != nil {
		return err
	}
	_, err = s.sendToken(ctx, tr)
	return err
}

func theClientRefreshesTheTokenAskingForAWiderScope(ctx context.Context) error {
	s := fromCtx(ctx)
	wider, _ := s.t.creds.Get("wider_scope")
	tr, err := s.refreshRequest(s.refresh, reqMod{extra: map[string]string{"scope": wider}})
	if err != nil {
		return err
	}
	_, err = s.sendToken(ctx, tr)
	return err
}
