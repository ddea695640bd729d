package steps

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/cucumber/godog"
	"github.com/oauthconf/oauthconf/profile"
)

// registerIntrospection adds the RFC 7662 token introspection steps. The main
// client asks about its own tokens, authenticating as it does at the token
// endpoint (Basic, or client_id/client_secret in the body).
func registerIntrospection(sc stepper) {
	sc.Step(`^the profile has an introspection endpoint$`, wrap(func(_ context.Context, s *scenario) error {
		if s.t.p.Introspection == nil || s.t.p.Introspection.Path == "" {
			return errSkip("profile %s has no introspection endpoint (introspection.path)", s.t.p.Name)
		}
		return nil
	}))
	sc.Step(`^the client introspects the (access|refresh) token$`, wrap1(func(ctx context.Context, s *scenario, kind string) error {
		tok, err := s.heldToken(kind)
		if err != nil {
			return err
		}
		cl := s.mainClient()
		_, err = s.introspect(ctx, tok, kind, &cl)
		return err
	}))
	sc.Step(`^the client introspects the old refresh token$`, wrap(func(ctx context.Context, s *scenario) error {
		if s.oldRefresh == "" {
			return failf("the refresh did not return a new refresh token, so the old one cannot be checked%s", bodyHint(s.last))
		}
		cl := s.mainClient()
		_, err := s.introspect(ctx, s.oldRefresh, "refresh", &cl)
		return err
	}))
	sc.Step(`^the client introspects a made-up token$`, wrap(func(ctx context.Context, s *scenario) error {
		cl := s.mainClient()
		_, err := s.introspect(ctx, "oauthconf-made-up-"+randomString(24), "", &cl)
		return err
	}))
	// Control for the negative checks: a token this server introspects as
	// active. The access token first; a server that does not introspect its
	// self-contained access tokens is asked about the refresh token instead.
	sc.Step(`^the client holds a token that introspects as active$`, wrap(func(ctx context.Context, s *scenario) error {
		if err := holdAccess(ctx, s); err != nil {
			return err
		}
		cl := s.mainClient()
		ex, err := s.introspect(ctx, s.access, "access", &cl)
		if err != nil {
			return err
		}
		first := introspectionActive(ex, true)
		if first == nil {
			s.probe, s.probeKind = s.access, "access"
			return nil
		}
		if s.refresh == "" {
			if herr := s.holdRefresh(ctx); herr != nil {
				if unsupportedTokenType(ex) && errors.Is(herr, godog.ErrSkip) {
					return errSkip("no token this server introspects: it refuses the access token (unsupported_token_type) and the profile has no grant that issues a refresh token")
				}
				return control(nil, errors.Join(first, herr))
			}
		}
		ex, err = s.introspect(ctx, s.refresh, "refresh", &cl)
		if err != nil {
			return err
		}
		if introspectionActive(ex, true) != nil {
			return control(nil, first)
		}
		s.probe, s.probeKind = s.refresh, "refresh"
		return nil
	}))
	sc.Step(`^the client introspects that token without client authentication$`, wrap(func(ctx context.Context, s *scenario) error {
		_, err := s.introspect(ctx, s.probe, s.probeKind, nil)
		return err
	}))
	sc.Step(`^the public client introspects that token$`, wrap(func(ctx context.Context, s *scenario) error {
		cl, _, ok := s.publicClient()
		if !ok {
			return errSkip("no public client: set public_client_id and public_redirect_uri")
		}
		_, err := s.introspect(ctx, s.probe, s.probeKind, &cl)
		return err
	}))
	sc.Step(`^the client introspects that token with a wrong client secret$`, wrap(func(ctx context.Context, s *scenario) error {
		cl := s.mainClient()
		cl.secret = "wrong-" + randomString(6)
		_, err := s.introspect(ctx, s.probe, s.probeKind, &cl)
		return err
	}))
	// Control: the token is known to be active before a negative check.
	sc.Step(`^the (access|refresh) token introspects as active$`, wrap1(func(ctx context.Context, s *scenario, kind string) error {
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
		return control(nil, introspectionActive(ex, true))
	}))
	sc.Step(`^the introspection says the token is active$`, wrap(func(_ context.Context, s *scenario) error {
		err := introspectionActive(s.last, true)
		if err != nil && unsupportedTokenType(s.last) && s.lastIntrospected == "access" {
			return failf("%v; RFC 7662 §2.2-2.3 wants an answer, active or not, to any authorized query. If the server documents that it does not introspect these tokens, set requirements: {rfc7662-2.2-access-token: off}", err)
		}
		return err
	}))
	sc.Step(`^the introspection says the token is inactive$`, wrap(func(_ context.Context, s *scenario) error {
		return introspectionActive(s.last, false)
	}))
	sc.Step(`^the introspection answer says nothing but "active": false$`, wrap(func(_ context.Context, s *scenario) error {
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
	}))
	sc.Step(`^the introspection is refused$`, wrap(func(_ context.Context, s *scenario) error {
		ex := s.last
		if ex.Status < 400 || ex.Status > 499 {
			return failf("introspection by a caller that did not authenticate answered %s, want a 4xx refusal (RFC 7662 §2.1: the endpoint MUST require authorization)%s", ex.StatusText, bodyHint(ex))
		}
		if m, err := decodeJSONObject(ex.RespBody); err == nil && m["active"] == true {
			return failf("the refusal still says the token is active (RFC 7662 §2.1)%s", bodyHint(ex))
		}
		return nil
	}))
	sc.Step(`^the introspection answers 401$`, wrap(func(_ context.Context, s *scenario) error {
		if s.last.Status != http.StatusUnauthorized {
			return failf("introspection with wrong client credentials answered %s, want 401 (RFC 7662 §2.3)%s", s.last.StatusText, bodyHint(s.last))
		}
		// §2.3 answers "as described in Section 5.2 of OAuth 2.0": a client
		// that used the Authorization header gets a challenge for its scheme.
		if s.t.p.Token.ClientAuth == profile.ClientAuthBasic && !hasChallenge(s.last, "Basic") {
			return failf("401 without a WWW-Authenticate Basic challenge (RFC 7662 §2.3, RFC 6749 §5.2); got %q", s.last.Header("WWW-Authenticate"))
		}
		return nil
	}))
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
	tok := s.access
	if kind == "refresh" {
		tok = s.refresh
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
	s.last, s.lastIntrospected = ex, kind
	return ex, err
}

// postAsClient posts a form to an endpoint beside the token endpoint
// (revocation, introspection), authenticating cl the way the profile's token
// endpoint does (RFC 6749 §2.3.1); cl nil sends no client credentials.
func (s *scenario) postAsClient(ctx context.Context, path string, params map[string]string, cl *clientCreds) (*Exchange, error) {
	h := http.Header{"Accept": {"application/json"}}
	if cl != nil && cl.public {
		params["client_id"] = cl.id // a public client has only its id (RFC 6749 §2.3)
	} else if cl != nil {
		switch s.t.p.Token.ClientAuth {
		case profile.ClientAuthBasic:
			h.Set("Authorization", profile.BasicAuth(cl.id, cl.secret))
		default:
			params["client_id"] = cl.id
			if cl.secret != "" {
				params["client_secret"] = cl.secret
			}
		}
	}
	body, ct := profile.EncodeBody(profile.EncodingForm, params)
	h.Set("Content-Type", ct)
	return s.send(ctx, http.MethodPost, path, h, body)
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

// describeJSON names a decoded JSON value's type and value for a message.
func describeJSON(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("the string %q", x)
	case nil:
		return "null"
	default:
		return fmt.Sprintf("%T %v", v, v)
	}
}
