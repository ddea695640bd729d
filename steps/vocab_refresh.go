package steps

import (
	"context"
	"net/http"
	"strings"

	"github.com/oauthconf/oauthconf/profile"
)

// registerRefresh adds the refresh steps (RFC 6749 §6): rotation, binding
// to the client, no widened scope. Feature: refresh_token.feature.
func registerRefresh(sc stepper) {
	sc.Step(`^the refresh does not widen the scope$`, wrap(theRefreshDoesNotWidenTheScope))
	sc.Step(`^the client holds a refresh token$`, wrap(theClientHoldsARefreshToken))
	sc.Step(`^the client (?:refreshes|has refreshed) the token$`, wrap(theClientRefreshesTheToken))
	sc.Step(`^the client refreshes with the old refresh token again$`, wrap(theClientRefreshesWithTheOldRefreshTokenAgain))
	sc.Step(`^the client refreshes with a made-up refresh token$`, wrap(theClientRefreshesWithAMadeUpRefreshToken))
	sc.Step(`^the second client refreshes the token with its own credentials$`, wrap(theSecondClientRefreshesTheTokenWithItsOwnCredentials))
	sc.Step(`^the client refreshes the token asking for a wider scope$`, wrap(theClientRefreshesTheTokenAskingForAWiderScope))
	sc.Step(`^(\d+) refreshes of the refresh token are sent at once$`, wrap1(nRefreshesOfTheRefreshTokenAreSentAtOnce))
	sc.Step(`^exactly one refresh succeeds and the others are refused with "([^"]*)"$`, wrap1(exactlyOneRefreshSucceedsAndTheOthersAreRefusedWith))
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
	tr, err := s.refreshRequest(s.tok.refresh, reqMod{})
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
	if s.tok.oldRefresh == "" {
		return failf("the refresh did not return a new refresh token, so rotation cannot be checked%s", bodyHint(s.last))
	}
	tr, err := s.refreshRequest(s.tok.oldRefresh, reqMod{})
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
	tr, err := s.refreshRequest(s.tok.refresh, reqMod{client: &cl})
	if err != nil {
		return err
	}
	_, err = s.sendToken(ctx, tr)
	return err
}

func theClientRefreshesTheTokenAskingForAWiderScope(ctx context.Context) error {
	s := fromCtx(ctx)
	wider, _ := s.t.creds.Get("wider_scope")
	tr, err := s.refreshRequest(s.tok.refresh, reqMod{extra: map[string]string{"scope": wider}})
	if err != nil {
		return err
	}
	_, err = s.sendToken(ctx, tr)
	return err
}

func nRefreshesOfTheRefreshTokenAreSentAtOnce(ctx context.Context, n int) error {
	s := fromCtx(ctx)
	return s.runRace(ctx, n, func(ctx context.Context, round int) (*tokenRequest, error) {
		if round > 0 {
			if err := s.holdRefresh(ctx); err != nil {
				return nil, err
			}
		}
		return s.refreshRequest(s.tok.refresh, reqMod{})
	})
}

// exactlyOneRefreshSucceedsAndTheOthersAreRefusedWith judges the race of
// refreshes of one token where the profile documents rotation: "the
// authorization server issues a new refresh token with every access token
// refresh response", the previous one invalidated (RFC 9700 §4.14.2), so at
// most one of the concurrent refreshes may succeed.
func exactlyOneRefreshSucceedsAndTheOthersAreRefusedWith(ctx context.Context, codes string) error {
	s := fromCtx(ctx)
	return s.judgeRace("refreshes of one refresh token", "RFC 9700 §4.14.2", profile.GrantRefreshToken, codes)
}

// checkNotWidened checks the answer to a refresh that asked for wider_scope
// (RFC 6749 §6: the scope "MUST NOT include any scope not originally
// granted"). A refusal must be invalid_scope (§5.2). A success passes only if
// its scope field names no scope beyond the original grant; an absent scope
// field means the requested scope was granted (§5.1), i.e. widened.
func (s *scenario) checkNotWidened() error {
	ex := s.last
	if ex.Status != http.StatusOK {
		return checkErrorCode(s.t.p, ex, "invalid_scope")
	}
	original := ""
	if len(s.tok.all) > 0 {
		original = s.tok.all[0].str("scope")
	}
	if original == "" {
		original, _ = s.t.creds.Get("scope")
	}
	t, err := parseTokenResponse(ex, profile.GrantRefreshToken)
	if err != nil {
		return err
	}
	granted, has := t.fields["scope"].(string)
	wider, _ := s.t.creds.Get("wider_scope")
	if !has {
		return failf("a refresh asking for scope %q beyond the original %q succeeded without a scope field, which means the requested scope was granted (RFC 6749 §5.1, §6)", wider, original)
	}
	have := map[string]bool{}
	for _, g := range strings.Fields(original) {
		have[g] = true
	}
	for _, g := range strings.Fields(granted) {
		if !have[g] {
			return failf("a refresh asking for scope %q was granted %q, beyond the original %q (RFC 6749 §6)", wider, granted, original)
		}
	}
	return nil
}
