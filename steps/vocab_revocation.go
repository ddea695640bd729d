package steps

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/cucumber/godog"
)

// registerRevocation adds the RFC 7009 revocation steps. Features:
// revocation.feature, bearer.feature (a revoked token).
func registerRevocation(sc stepper) {
	sc.Step(`^the access token is revoked$`, wrap(theAccessTokenIsRevoked))
	sc.Step(`^the client revokes a made-up token$`, wrap(theClientRevokesAMadeUpToken))
	sc.Step(`^the client revokes the refresh token$`, wrap(theClientRevokesTheRefreshToken))
	sc.Step(`^the revocation response is 200$`, wrap(theRevocationResponseIs200))
	sc.Step(`^the revocation endpoint is shown to revoke a refresh token$`, wrap(theRevocationEndpointIsShownToRevokeARefreshToken))
}

// theRevocationEndpointIsShownToRevokeARefreshToken is the control of the
// checks that a revocation endpoint answers 200 to a token it cannot revoke
// (RFC 7009 §2.2): any web page answers 200, so the endpoint first shows it
// is one: it answers the client's revocation of a refresh token with 200
// and the token is then refused. Where no grant issues a refresh token, an
// access token that introspects as active must introspect as inactive once
// revoked (RFC 7662 §2.2). Where neither can be shown the rule is not
// tested, with why.
func theRevocationEndpointIsShownToRevokeARefreshToken(ctx context.Context) error {
	err := theClientsOwnRevocationOfARefreshTokenStopsItWorking(ctx)
	if !errors.Is(err, godog.ErrSkip) {
		return err
	}
	why := err.Error()
	var sk skipError
	if errors.As(err, &sk) {
		why = sk.reason
	}
	err = fromCtx(ctx).revokedAccessIntrospectsInactive(ctx)
	if !errors.As(err, &sk) {
		return control(err) // nil: the access token was seen revoked
	}
	why += "; " + sk.reason
	return control(fmt.Errorf("nothing shows the endpoint revokes (%s), and a 200 alone proves nothing: a web page answers 200", why))
}

// revokedAccessIntrospectsInactive revokes an access token that
// introspects as active and wants it inactive after (RFC 7009 §2, RFC 7662
// §2.2); a skip when there is no introspection endpoint or the server does
// not revoke access tokens.
func (s *scenario) revokedAccessIntrospectsInactive(ctx context.Context) error {
	if s.t.p.Introspection == nil || s.t.p.Introspection.Path == "" {
		return errSkip("profile %s has no introspection endpoint to see an access token revoked", s.t.p.Name)
	}
	if err := s.holdAccess(ctx); err != nil {
		return err
	}
	cl := s.mainClient()
	for _, active := range []bool{true, false} {
		if !active {
			if err := s.revokeAccess(ctx); err != nil {
				return err
			}
		}
		ex, err := s.introspect(ctx, s.tok.access, "access", &cl)
		if err != nil {
			return err
		}
		if err := introspectionActive(ex, active); err != nil {
			return fmt.Errorf("the access token the client revokes: %w", err)
		}
	}
	return nil
}

func theClientRevokesAMadeUpToken(ctx context.Context) error {
	s := fromCtx(ctx)
	_, err := s.revoke(ctx, "oauthconf-made-up-"+randomString(24), "")
	return err
}

func theClientRevokesTheRefreshToken(ctx context.Context) error {
	s := fromCtx(ctx)
	ex, err := s.revoke(ctx, s.tok.refresh, "refresh_token")
	if err != nil {
		return err
	}
	if ex.Status != http.StatusOK {
		return failf("revocation answered %s, want 200 (RFC 7009 §2.2)%s", ex.StatusText, bodyHint(ex))
	}
	return nil
}

func theRevocationResponseIs200(ctx context.Context) error {
	s := fromCtx(ctx)
	if s.last.Status != http.StatusOK {
		return failf("revocation answered %s, want 200 (RFC 7009 §2.2)%s", s.last.StatusText, bodyHint(s.last))
	}
	return nil
}

// revokeAccess revokes the current access token with RFC 7009. Without a
// revocation endpoint the scenario does not apply: revoking by replaying the
// authorization code (RFC 6749 §4.1.2) is what "Replaying a code revokes the
// tokens issued from it" checks, and doing it here too counted one root cause
// twice, under two rules.
func (s *scenario) revokeAccess(ctx context.Context) error {
	if s.t.p.Revocation != nil && s.t.p.Revocation.Path != "" {
		ex, err := s.revoke(ctx, s.tok.access, "access_token")
		if err != nil {
			return err
		}
		if ex.Status == http.StatusBadRequest {
			if m, jerr := decodeJSONObject(ex.RespBody); jerr == nil && m["error"] == "unsupported_token_type" {
				return errSkip("the server does not revoke access tokens (RFC 7009 §2.2.1 unsupported_token_type; revoking access tokens is a SHOULD, §2)")
			}
		}
		if ex.Status != http.StatusOK {
			return failf("revocation answered %s, want 200 (RFC 7009 §2.2)%s", ex.StatusText, bodyHint(ex))
		}
		return nil
	}
	return errSkip("profile %s has no revocation endpoint (a code replay's revocation is checked by \"Replaying a code revokes the tokens issued from it\", RFC 6749 §4.1.2)", s.t.p.Name)
}

// revoke sends an RFC 7009 §2.1 revocation request with the client's authentication.
func (s *scenario) revoke(ctx context.Context, tok, hint string) (*Exchange, error) {
	if s.t.p.Revocation == nil || s.t.p.Revocation.Path == "" {
		return nil, errSkip("profile %s has no revocation endpoint", s.t.p.Name)
	}
	params := map[string]string{"token": tok}
	if hint != "" {
		params["token_type_hint"] = hint
	}
	cl := s.mainClient()
	ex, err := s.postAsClient(ctx, s.t.p.Revocation.Path, params, &cl)
	s.last = ex
	return ex, err
}

func theAccessTokenIsRevoked(ctx context.Context) error { return fromCtx(ctx).revokeAccess(ctx) }
