package steps

import (
	"context"
	"encoding/json"
	"net/http"
)

// registerUserTokens adds the Elastic Path customer and account-member token
// steps, driven by the profile's extensions. Feature:
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
	return s.userToken(ctx, "customer", false)
}

func theClientHasAnAccountMemberToken(ctx context.Context) error {
	s := fromCtx(ctx)
	return s.userToken(ctx, "account", false)
}

func theClientRequestsACustomerTokenWithAWrongPassword(ctx context.Context) error {
	s := fromCtx(ctx)
	return s.userToken(ctx, "customer", true)
}

func theClientRequestsAnAccountMemberTokenWithAWrongPassword(ctx context.Context) error {
	s := fromCtx(ctx)
	return s.userToken(ctx, "account", true)
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
	key, hdr := "customer", "customer_token_header"
	if kind == "account-member" {
		key, hdr = "account", "account_token_header"
	}
	h := s.t.p.Extensions[hdr]
	if h == "" {
		return errSkip("profile %s has no extensions.%s", s.t.p.Name, hdr)
	}
	_, err := s.callResource(ctx, name, "Bearer "+s.tok.access, map[string]string{h: s.userTokens[key]})
	return err
}

// userToken requests an Elastic Path customer ("customer") or account-member
// ("account") token with the current (implicit) access token.
func (s *scenario) userToken(ctx context.Context, kind string, wrongPassword bool) error {
	ext := s.t.p.Extensions
	var path string
	var data map[string]string
	switch kind {
	case "customer":
		path = ext["customer_token_path"]
		if !s.t.creds.Has("customer_email", "customer_password") {
			return errSkip("no customer credentials: set customer_email and customer_password")
		}
		email, _ := s.t.creds.Get("customer_email")
		pw, _ := s.t.creds.Get("customer_password")
		data = map[string]string{"type": "token", "email": email, "password": pw, "authentication_mechanism": "password"}
	default:
		path = ext["account_token_path"]
		if !s.t.creds.Has("password_profile_id", "account_username", "account_password") {
			return errSkip("no account member credentials: set password_profile_id, account_username and account_password")
		}
		id, _ := s.t.creds.Get("password_profile_id")
		user, _ := s.t.creds.Get("account_username")
		pw, _ := s.t.creds.Get("account_password")
		data = map[string]string{"type": "account_management_authentication_token", "authentication_mechanism": "password",
			"password_profile_id": id, "username": user, "password": pw}
	}
	if path == "" {
		return errSkip("profile %s has no extensions.%s_token_path", s.t.p.Name, kind)
	}
	if s.tok.access == "" {
		if err := s.holdAccess(ctx); err != nil {
			return err
		}
	}
	if wrongPassword {
		data["password"] = "wrong-" + randomString(6)
	}
	body, _ := json.Marshal(map[string]any{"data": data})
	ex, err := s.send(ctx, http.MethodPost, path, http.Header{"Authorization": {"Bearer " + s.tok.access}, "Content-Type": {"application/json"}, "Accept": {"application/json"}}, body)
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
