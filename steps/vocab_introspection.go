package steps

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/cucumber/godog"
	"github.com/oauthconf/oauthconf/profile"
)

// registerIntrospection adds the RFC 7662 token introspection steps. The
// main client asks about its own tokens, authenticating as it does at the
// token endpoint (Basic, or client_id/client_secret in the body). Feature:
// introspection.feature.
func registerIntrospection(sc stepper) {
	sc.Step(`^the client introspects the (access|refresh) token$`, wrap1(theClientIntrospectsTheToken))
	sc.Step(`^the client introspects the old refresh token$`, wrap(theClientIntrospectsTheOldRefreshToken))
	sc.Step(`^the client introspects a made-up token$`, wrap(theClientIntrospectsAMadeUpToken))
	sc.Step(`^the client holds a token that introspects as active$`, wrap(theClientHoldsATokenThatIntrospectsAsActive))
	sc.Step(`^the client introspects that token without client authentication$`, wrap(theClientIntrospectsThatTokenWithoutClientAuthentication))
	sc.Step(`^the public client introspects that token$`, wrap(thePublicClientIntrospectsThatToken))
	sc.Step(`^the client introspects that token with a wrong client secret$`, wrap(theClientIntrospectsThatTokenWithAWrongClientSecret))
	sc.Step(`^the (access|refresh) token introspects as active$`, wrap1(theTokenIntrospectsAsActive))
	sc.Step(`^the introspection says the token is active$`, wrap(theIntrospectionSaysTheTokenIsActive))
	sc.Step(`^the introspection says the token is inactive$`, wrap(theIntrospectionSaysTheTokenIsInactive))
	sc.Step(`^the introspection answer says nothing but "active": false$`, wrap(theIntrospectionAnswerSaysNothingButActiveFalse))
	sc.Step(`^the introspection is refused$`, wrap(theIntrospectionIsRefused))
	sc.Step(`^the introspection answers 401$`, wrap(theIntrospectionAnswers401))
}

func theClientIntrospectsTheToken(ctx context.Context, kind string) error {
	s := fromCtx(ctx)
	tok, err := s.heldToken(kind)
	if err != nil {
		return err
	}
	cl := s.mainClient()
	_, err = s.introspect(ctx, tok, kind, &cl)
	return err
}

func theClientIntrospectsTheOldRefreshToken(ctx context.Context) error {
	s := fromCtx(ctx)
	if s.tok.oldRefresh == "" {
		return failf("the refresh did not return a new refresh token, so the old one cannot be checked%s", bodyHint(s.last))
	}
	cl := s.mainClient()
	_, err := s.introspect(ctx, s.tok.oldRefresh, "refresh", &cl)
	return err
}

func theClientIntrospectsAMadeUpToken(ctx context.Context) error {
	s := fromCtx(ctx)
	cl := s.mainClient()
	_, err := s.introspect(ctx, "oauthconf-made-up-"+randomString(24), "", &cl)
	return err
}

// Control for the negative checks: a token this server introspects as
// active. The access token first; a server that does not introspect its
// self-contained access tokens is asked about the refresh token instead.
func theClientHoldsATokenThatIntrospectsAsActive(ctx context.Context) error {
	s := fromCtx(ctx)
	if err := s.holdAccessFrom(ctx, s.introspectionGrant()); err != nil {
		return control(err)
	}
	cl := s.mainClient()
	ex, err := s.introspect(ctx, s.tok.access, "access", &cl)
	if err != nil {
		return control(err)
	}
	first := introspectionActive(ex, true)
	if first == nil {
		s.intro.probe, s.intro.kind = s.tok.access, "access"
		return nil
	}
	if s.tok.refresh == "" {
		if herr := s.holdRefresh(ctx); herr != nil {
			if unsupportedTokenType(ex) && errors.Is(herr, godog.ErrSkip) {
				return errSkip("no token this server introspects: it refuses the access token (unsupported_token_type) and the profile has no grant that issues a refresh token")
			}
			return control(errors.Join(first, herr))
		}
	}
	ex, err = s.introspect(ctx, s.tok.refresh, "refresh", &cl)
	if err != nil {
		return control(err)
	}
	if introspectionActive(ex, true) != nil {
		return control(first)
	}
	s.intro.probe, s.intro.kind = s.tok.refresh, "refresh"
	return nil
}

func theClientIntrospectsThatTokenWithoutClientAuthentication(ctx context.Context) error {
	s := fromCtx(ctx)
	_, err := s.introspect(ctx, s.intro.probe, s.intro.kind, nil)
	return err
}

func thePublicClientIntrospectsThatToken(ctx context.Context) error {
	s := fromCtx(ctx)
	cl, _, ok := publicClient(s.t.creds)
	if !ok {
		return errSkip("no public client: set public_client_id and public_redirect_uri")
	}
	_, err := s.introspect(ctx, s.intro.probe, s.intro.kind, &cl)
	return err
}

func theClientIntrospectsThatTokenWithAWrongClientSecret(ctx context.Context) error {
	s := fromCtx(ctx)
	cl := s.mainClient()
	cl.secret = "wrong-" + randomString(6)
	_, err := s.introspect(ctx, s.intro.probe, s.intro.kind, &cl)
	return err
}

// Control: the token is known to be active before a negative check.
func theTokenIntrospectsAsActive(ctx context.Context, kind string) error {
	s := fromCtx(ctx)
	tok, err := s.heldToken(kind)
	if err != nil {
		return err
	}
	cl := s.mainClient()
	ex, err := s.introspect(ctx, tok, kind, &cl)
	if err != nil {
		return err
	}
	if kind == "access" && unsupportedTokenType(ex) {
		return errSkip("the server does not introspect access tokens (it answers unsupported_token_type); the scenario \"A live access token introspects as active\" reports that")
	}
	return control(introspectionActive(ex, true))
}

func theIntrospectionSaysTheTokenIsActive(ctx context.Context) error {
	s := fromCtx(ctx)
	err := introspectionActive(s.last, true)
	if err != nil && unsupportedTokenType(s.last) && s.intro.lastKind == "access" {
		return failf("%v; RFC 7662 §2.2-2.3 wants an answer, active or not, to any authorized query. If the server documents that it does not introspect these tokens, set requirements: {rfc7662-2.2-access-token: off}", err)
	}
	return err
}

func theIntrospectionSaysTheTokenIsInactive(ctx context.Context) error {
	s := fromCtx(ctx)
	return introspectionActive(s.last, false)
}

func theIntrospectionAnswerSaysNothingButActiveFalse(ctx context.Context) error {
	s := fromCtx(ctx)
	if err := introspectionActive(s.last, false); err != nil {
		return err
	}
	m, _ := decodeJSONObject(s.last.RespBody)
	if len(m) != 1 {
		var extra []string
		for k := range m {
			if k != "active" {
				extra = append(extra, k)
			}
		}
		return failf("the answer for an inactive token also carries %s (RFC 7662 §2.2: SHOULD NOT include other information)%s", strings.Join(slices.Sorted(slices.Values(extra)), ", "), bodyHint(s.last))
	}
	return nil
}

func theIntrospectionIsRefused(ctx context.Context) error {
	s := fromCtx(ctx)
	ex := s.last
	if ex.Status < 400 || ex.Status > 499 {
		return failf("introspection by a caller that did not authenticate answered %s, want a 4xx refusal (RFC 7662 §2.1: the endpoint MUST require authorization)%s", ex.StatusText, bodyHint(ex))
	}
	if m, err := decodeJSONObject(ex.RespBody); err == nil && m["active"] == true {
		return failf("the refusal still says the token is active (RFC 7662 §2.1)%s", bodyHint(ex))
	}
	return nil
}

func theIntrospectionAnswers401(ctx context.Context) error {
	s := fromCtx(ctx)
	if s.last.Status != http.StatusUnauthorized {
		return failf("introspection with wrong client credentials answered %s, want 401 (RFC 7662 §2.3)%s", s.last.StatusText, bodyHint(s.last))
	}
	// §2.3 answers "as described in Section 5.2 of OAuth 2.0": a client
	// that used the Authorization header gets a challenge for its scheme.
	if s.t.p.Token.ClientAuth == profile.ClientAuthBasic && !hasChallenge(s.last, "Basic") {
		return failf("401 without a WWW-Authenticate Basic challenge (RFC 7662 §2.3, RFC 6749 §5.2); got %q", s.last.Header("WWW-Authenticate"))
	}
	return nil
}

// unsupportedTokenType reports whether ex is an error answer with
// unsupported_token_type (some servers refuse to introspect JWT access tokens).
func unsupportedTokenType(ex *Exchange) bool {
	if ex == nil || ex.Status < 400 {
		return false
	}
	m, err := decodeJSONObject(ex.RespBody)
	return err == nil && m["error"] == "unsupported_token_type"
}

// heldToken returns the scenario's current access or refresh token.
func (s *scenario) heldToken(kind string) (string, error) {
	tok := s.tok.access
	if kind == "refresh" {
		tok = s.tok.refresh
	}
	if tok == "" {
		return "", failf("no %s token is held", kind)
	}
	return tok, nil
}

// introspect sends an RFC 7662 §2.1 introspection request for tok, with a
// token_type_hint for kind ("access", "refresh" or ""), authenticated as cl
// (nil: no client authentication).
func (s *scenario) introspect(ctx context.Context, tok, kind string, cl *clientCreds) (*Exchange, error) {
	if s.t.p.Introspection == nil || s.t.p.Introspection.Path == "" {
		return nil, errSkip("profile %s has no introspection endpoint (introspection.path)", s.t.p.Name)
	}
	params := map[string]string{"token": tok}
	if kind != "" {
		params["token_type_hint"] = kind + "_token"
	}
	ex, err := s.postAsClient(ctx, s.t.p.Introspection.Path, params, cl)
	s.last, s.intro.lastKind = ex, kind
	return ex, err
}

// introspectionActive checks an RFC 7662 §2.2 answer: 200, a JSON object whose
// "active" member is the boolean want.
func introspectionActive(ex *Exchange, want bool) error {
	if ex == nil {
		return failf("no introspection answer")
	}
	if ex.Status != http.StatusOK {
		return failf("introspection answered %s, want 200 (RFC 7662 §2.2)%s", ex.StatusText, bodyHint(ex))
	}
	m, err := decodeJSONObject(ex.RespBody)
	if err != nil {
		return failf("introspection answer is not a JSON object (RFC 7662 §2.2): %v%s", err, bodyHint(ex))
	}
	v, ok := m["active"]
	if !ok {
		return failf(`introspection answer has no "active" member (RFC 7662 §2.2: REQUIRED)%s`, bodyHint(ex))
	}
	b, isBool := v.(bool)
	if !isBool {
		return failf(`"active" is %s, want a JSON boolean (RFC 7662 §2.2)%s`, describeJSON(v), bodyHint(ex))
	}
	if b != want {
		return failf(`introspection says "active": %t, want %t (RFC 7662 §2.2)%s`, b, want, bodyHint(ex))
	}
	return nil
}
