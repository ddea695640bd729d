package steps

import (
	"context"
	"net/http"
	"strings"

	"github.com/oauthconf/oauthconf/profile"
)

// registerUserTokens adds the Elastic Path customer and account-member token
// steps, driven by the profile's user_tokens (profile.UserTokens). Feature:
// elasticpath_user_tokens.feature.
func registerUserTokens(sc stepper) {
	sc.Step(`^the client has a customer token$`, wrap(theClientHasACustomerToken))
	sc.Step(`^the client has an account-member token$`, wrap(theClientHasAnAccountMemberToken))
	sc.Step(`^the client requests a customer token with a wrong password$`, wrap(theClientRequestsACustomerTokenWithAWrongPassword))
	sc.Step(`^the client requests an account-member token with a wrong password$`, wrap(theClientRequestsAnAccountMemberTokenWithAWrongPassword))
	sc.Step(`^the user token request is refused$`, wrap(theUserTokenRequestIsRefused))
	sc.Step(`^the client calls the "([^"]*)" resource with the access token and the (customer|account-member) token$`, wrap2(theClientCallsTheResourceWithTheAccessTokenAndAUserToken))
}

func theClientHasACustomerToken(ctx context.Context) error {
	s := fromCtx(ctx)
	return s.userToken(ctx, profile.UserTokenCustomer, false)
}

func theClientHasAnAccountMemberToken(ctx context.Context) error {
	s := fromCtx(ctx)
	return s.userToken(ctx, profile.UserTokenAccountMember, false)
}

func theClientRequestsACustomerTokenWithAWrongPassword(ctx context.Context) error {
	s := fromCtx(ctx)
	return s.userToken(ctx, profile.UserTokenCustomer, true)
}

func theClientRequestsAnAccountMemberTokenWithAWrongPassword(ctx context.Context) error {
	s := fromCtx(ctx)
	return s.userToken(ctx, profile.UserTokenAccountMember, true)
}

func theUserTokenRequestIsRefused(ctx context.Context) error {
	s := fromCtx(ctx)
	if s.last.Status != 401 && s.last.Status != 400 && s.last.Status != 403 {
		return failf("want the token request refused (400/401/403), got %s%s", s.last.StatusText, bodyHint(s.last))
	}
	return nil
}

func theClientCallsTheResourceWithTheAccessTokenAndAUserToken(ctx context.Context, name, kind string) error {
	s := fromCtx(ctx)
	key := profile.UserTokenCustomer
	if kind == "account-member" {
		key = profile.UserTokenAccountMember
	}
	t, field := s.t.p.UserTokens.Kind(key)
	if t == nil || t.Header == "" {
		return errSkip("profile %s has no %s.header", s.t.p.Name, field)
	}
	_, err := s.callResource(ctx, name, "Bearer "+s.tok.access, map[string]string{t.Header: s.userTokens[key]})
	return err
}

// userToken requests the user token of kind (profile.UserTokenCustomer or
// profile.UserTokenAccountMember) as the profile's user_tokens describe it,
// with the current access token.
func (s *scenario) userToken(ctx context.Context, kind string, wrongPassword bool) error {
	t, field := s.t.p.UserTokens.Kind(kind)
	if t == nil {
		return errSkip("profile %s has no %s", s.t.p.Name, field)
	}
	if missing := t.Missing(s.t.creds); len(missing) > 0 {
		return errSkip("no %s credentials: set %s", field, joinAnd(missing))
	}
	if s.tok.access == "" {
		if err := s.holdAccess(ctx); err != nil {
			return err
		}
	}
	var override map[string]string
	if wrongPassword {
		override = map[string]string{"password": "wrong-" + randomString(6)}
	}
	body, err := t.Body(s.t.creds, override)
	if err != nil {
		return harnessf("%s: %v", field, err)
	}
	ex, err := s.send(ctx, http.MethodPost, t.Path, http.Header{"Authorization": {"Bearer " + s.tok.access}, "Content-Type": {"application/json"}, "Accept": {"application/json"}}, body)
	s.last = ex
	if err != nil || wrongPassword {
		return err
	}
	if ex.Status != http.StatusOK && ex.Status != http.StatusCreated {
		return failf("%s token request answered %s, want 200/201%s", kind, ex.StatusText, bodyHint(ex))
	}
	m, err := decodeJSONObject(ex.RespBody)
	if err != nil {
		return failf("%s token response is not a JSON object: %v", kind, err)
	}
	var tok string
	switch d := m["data"].(type) {
	case map[string]any:
		tok, _ = d["token"].(string)
	case []any:
		if len(d) > 0 {
			if e, ok := d[0].(map[string]any); ok {
				tok, _ = e["token"].(string)
			}
		}
	}
	if tok == "" {
		return failf("%s token response has no data.token%s", kind, bodyHint(ex))
	}
	if s.userTokens == nil {
		s.userTokens = map[string]string{}
	}
	s.userTokens[kind] = tok
	s.red.add(tok)
	return nil
}

// joinAnd joins names as "a, b and c".
func joinAnd(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
