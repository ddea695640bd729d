package steps

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cucumber/godog"
	"github.com/oauthconf/oauthconf/internal/httpx"
	"github.com/oauthconf/oauthconf/profile"
)

// stepper is what register adds steps to: a godog.ScenarioContext, or the
// collector that builds the vocabulary once.
type stepper interface {
	Step(expr, stepFunc any)
}

// stepDef is one entry of the vocabulary: a compiled pattern and its handler.
type stepDef struct {
	re *regexp.Regexp
	fn any
}

// collector gathers register's steps, compiling each pattern once.
type collector []stepDef

func (c *collector) Step(expr, fn any) {
	*c = append(*c, stepDef{re: regexp.MustCompile(expr.(string)), fn: fn})
}

// vocabulary is the suite's step table, built once and never modified (the
// handlers are stateless; scenario state travels in the context).
var vocabulary = func() []stepDef {
	var c collector
	register(&c)
	return c
}()

// addSteps registers the vocabulary with a scenario.
func addSteps(sc *godog.ScenarioContext) {
	for _, d := range vocabulary {
		sc.Step(d.re, d.fn)
	}
}

// register adds every step of the suite's vocabulary to sc.
func register(sc stepper) {
	// Profile capabilities: each skips the scenario, with the reason, when the
	// profile lacks what the scenario needs.
	sc.Step(`^the target supports the "([^"]*)" grant$`, wrap1(supportsGrant))
	sc.Step(`^the target supports the "([^"]*)" grant at the token endpoint$`, wrap1(func(ctx context.Context, s *scenario, g string) error {
		if err := supportsGrant(ctx, s, g); err != nil {
			return err
		}
		if g == profile.GrantImplicit && s.implicitViaAuthorize() {
			return errSkip("profile %s requests implicit tokens at the authorization endpoint", s.t.p.Name)
		}
		return nil
	}))
	sc.Step(`^the profile says the code in Location is URL-encoded$`, wrap(func(_ context.Context, s *scenario) error {
		if a := s.t.p.Authorize; a == nil || !a.CodeEncoded {
			return errSkip("profile %s does not document a URL-encoded code (authorize.code_encoded)", s.t.p.Name)
		}
		return nil
	}))
	sc.Step(`^the profile supports PKCE$`, wrap(func(_ context.Context, s *scenario) error {
		if a := s.t.p.Authorize; a == nil || a.PKCE == "" {
			return errSkip("profile %s does not document PKCE (authorize.pkce)", s.t.p.Name)
		}
		return nil
	}))
	sc.Step(`^a second client is configured$`, wrap(func(_ context.Context, s *scenario) error {
		if _, ok := s.otherClient(); !ok {
			return errSkip("no second client: set other_client_id and other_client_secret")
		}
		return nil
	}))
	sc.Step(`^the profile documents refresh token rotation$`, wrap(func(_ context.Context, s *scenario) error {
		if g := s.t.p.Grants[profile.GrantRefreshToken]; g == nil || !g.Rotation {
			return errSkip("profile %s does not document refresh token rotation", s.t.p.Name)
		}
		return nil
	}))
	sc.Step(`^the profile documents scopes$`, wrap(func(_ context.Context, s *scenario) error {
		if !s.t.creds.Has("scope", "wider_scope") {
			return errSkip("profile %s documents no scope and wider_scope credentials", s.t.p.Name)
		}
		return nil
	}))
	sc.Step(`^the profile says access tokens are JWTs$`, wrap(func(_ context.Context, s *scenario) error {
		if s.t.p.TokenFormat != "jwt" {
			return errSkip("profile %s does not document JWT access tokens", s.t.p.Name)
		}
		return nil
	}))
	sc.Step(`^the profile documents an identifier for the "([^"]*)" grant$`, wrap1(func(_ context.Context, s *scenario, g string) error {
		if gr := s.t.p.Grants[g]; gr == nil || gr.Identifier == "" {
			return errSkip("profile %s documents no identifier for the %s grant", s.t.p.Name, g)
		}
		return nil
	}))
	sc.Step(`^the profile has an? "([^"]*)" resource$`, wrap1(func(_ context.Context, s *scenario, name string) error {
		_, err := s.resource(name)
		return err
	}))
	sc.Step(`^the profile authenticates clients with HTTP Basic$`, wrap(func(_ context.Context, s *scenario) error {
		if s.t.p.Token.ClientAuth != profile.ClientAuthBasic {
			return errSkip("profile %s authenticates clients with %q, not HTTP Basic", s.t.p.Name, s.t.p.Token.ClientAuth)
		}
		return nil
	}))
	sc.Step(`^the profile has a client secret$`, wrap(func(_ context.Context, s *scenario) error {
		if !s.t.creds.Has("client_id", "client_secret") {
			return errSkip("profile %s has no client_secret", s.t.p.Name)
		}
		return nil
	}))
	sc.Step(`^the profile sends form-encoded token requests$`, wrap(func(_ context.Context, s *scenario) error {
		if s.t.p.Token.Encoding != profile.EncodingForm {
			return errSkip("profile %s sends %s token requests; only form bodies can repeat a parameter", s.t.p.Name, s.t.p.Token.Encoding)
		}
		return nil
	}))
	sc.Step(`^the profile has a revocation endpoint$`, wrap(func(_ context.Context, s *scenario) error {
		if s.t.p.Revocation == nil || s.t.p.Revocation.Path == "" {
			return errSkip("profile %s has no revocation endpoint", s.t.p.Name)
		}
		return nil
	}))
	sc.Step(`^the profile documents Bearer challenges on the "([^"]*)" resource$`, wrap1(func(_ context.Context, s *scenario, name string) error {
		r, err := s.resource(name)
		if err != nil {
			return err
		}
		if !r.Challenge {
			return errSkip("profile %s does not document WWW-Authenticate challenges on %q", s.t.p.Name, name)
		}
		return nil
	}))

	// Controls: a refusal proves a rule only if the same request without the
	// fault succeeds. Against a server that refuses everything (or is not an
	// OAuth server at all: 404 everywhere) the negative checks fail here,
	// naming the control, instead of passing.
	sc.Step(`^the client can obtain a token$`, wrap(func(ctx context.Context, s *scenario) error {
		g := s.primaryGrant()
		if g == "" {
			return errSkip("profile %s has no client_credentials, authorization_code or password grant", s.t.p.Name)
		}
		return control(s.obtain(ctx, g))
	}))
	sc.Step(`^the client can obtain an? "([^"]*)" token$`, wrap1(func(ctx context.Context, s *scenario, g string) error {
		return control(s.obtain(ctx, g))
	}))
	sc.Step(`^the registered redirect URI gets a code$`, wrap(func(ctx context.Context, s *scenario) error {
		return control(nil, s.getCode(ctx))
	}))
	sc.Step(`^the "([^"]*)" resource accepts a fresh access token$`, wrap1(func(ctx context.Context, s *scenario, name string) error {
		r, err := s.resource(name)
		if err != nil {
			return err
		}
		if err := holdAccess(ctx, s); err != nil {
			return control(nil, err)
		}
		ex, err := s.callResource(ctx, name, "Bearer "+s.access, nil)
		if err != nil {
			return err
		}
		if ex.Status != r.OK {
			return control(nil, failf("%s %s with a valid access token answered %s, want %d%s", r.Method, r.Path, ex.StatusText, r.OK, bodyHint(ex)))
		}
		return nil
	}))

	// Token endpoint.
	sc.Step(`^the client (?:requests|obtains) a token with the "([^"]*)" grant$`, wrap1(func(ctx context.Context, s *scenario, g string) error {
		_, err := s.obtain(ctx, g)
		return err
	}))
	sc.Step(`^the client holds an access token from the "([^"]*)" grant$`, wrap1(func(ctx context.Context, s *scenario, g string) error {
		_, err := s.obtain(ctx, g)
		return err
	}))
	sc.Step(`^the client holds an access token$`, wrap(holdAccess))
	sc.Step(`^the client requests (\d+) tokens with the "([^"]*)" grant$`, wrap2(func(ctx context.Context, s *scenario, n, g string) error {
		k, _ := strconv.Atoi(n)
		for i := 0; i < k; i++ {
			if _, err := s.obtain(ctx, g); err != nil {
				return err
			}
		}
		return nil
	}))
	sc.Step(`^all access tokens are different$`, wrap(func(_ context.Context, s *scenario) error {
		seen := map[string]int{}
		for i, t := range s.tokens {
			a := t.str("access_token")
			if j, dup := seen[a]; dup {
				return failf("requests %d and %d got the same access token (RFC 6749 §10.10)", j+1, i+1)
			}
			seen[a] = i
		}
		return nil
	}))
	sc.Step(`^the token response is successful$`, wrap(func(_ context.Context, s *scenario) error {
		if s.last == nil {
			return fmt.Errorf("internal: no response to check")
		}
		if s.token != nil && s.token.ex == s.last {
			return nil
		}
		t, err := parseTokenResponse(s.last, s.grantOf())
		if err != nil {
			return err
		}
		s.keep(t)
		return nil
	}))
	sc.Step(`^the token response is JSON$`, wrap(func(_ context.Context, s *scenario) error {
		t := s.token
		if t.fragment {
			return nil // RFC 6749 §4.2.2: the parameters travel in the fragment
		}
		if ct := t.ex.Header("Content-Type"); !isJSON(ct) {
			return failf("token response Content-Type is %q, want application/json (RFC 6749 §5.1)", ct)
		}
		return nil
	}))
	sc.Step(`^the token response has the documented fields and JSON types$`, wrap(func(_ context.Context, s *scenario) error {
		return s.checkShape(s.token)
	}))
	sc.Step(`^token_type is the documented literal$`, wrap(func(_ context.Context, s *scenario) error {
		got := s.token.str("token_type")
		want := s.t.p.TokenType
		if want == "" {
			if !strings.EqualFold(got, "bearer") {
				return failf("token_type is %q, want Bearer (RFC 6750 §4)", got)
			}
			return nil
		}
		if got != want {
			return failf("token_type is %q, want the documented literal %q", got, want)
		}
		return nil
	}))
	sc.Step(`^expires_in is the documented lifetime$`, wrap(func(_ context.Context, s *scenario) error {
		return s.checkExpiresIn(s.token)
	}))
	sc.Step(`^the access token's lifetime agrees with expires_in$`, wrap(func(ctx context.Context, s *scenario) error {
		return s.checkLifetime(ctx, s.token)
	}))
	sc.Step(`^the access token carries the documented claims$`, wrap(func(_ context.Context, s *scenario) error {
		return s.checkClaims(s.token)
	}))
	sc.Step(`^the identifier field is the documented one$`, wrap(func(_ context.Context, s *scenario) error {
		want := s.t.p.Grants[s.token.grant].Identifier
		if got := s.token.str("identifier"); got != want {
			return failf("identifier is %q, want %q", got, want)
		}
		return nil
	}))
	sc.Step(`^the token response has Cache-Control no-store and Pragma no-cache$`, wrap(func(_ context.Context, s *scenario) error {
		return checkNoStore(s.token.ex, s.t.p.Headers.CheckPragma())
	}))
	sc.Step(`^the token response carries no refresh token$`, wrap(func(_ context.Context, s *scenario) error {
		if rt, ok := s.token.fields["refresh_token"]; ok && rt != nil && rt != "" {
			return failf("the %s token response carries a refresh_token", s.token.grant)
		}
		return nil
	}))
	sc.Step(`^the token response carries a refresh token as documented$`, wrap(func(_ context.Context, s *scenario) error {
		gr := s.t.p.Grants[s.token.grant]
		has := s.token.str("refresh_token") != ""
		switch {
		case gr.RefreshToken == "required" && !has:
			return failf("the %s token response has no refresh_token, but the profile documents one", s.token.grant)
		case gr.RefreshToken == "forbidden" && has:
			return failf("the %s token response carries a refresh_token, but the profile says it must not", s.token.grant)
		}
		return nil
	}))
	sc.Step(`^the token request is refused with "([^"]*)"$`, wrap1(func(_ context.Context, s *scenario, codes string) error {
		return checkErrorCode(s.t.p, s.last, codes)
	}))
	sc.Step(`^the refresh does not widen the scope$`, wrap(func(_ context.Context, s *scenario) error {
		return s.checkNotWidened()
	}))
	sc.Step(`^the token request is refused$`, wrap(func(_ context.Context, s *scenario) error {
		_, err := checkRefused(s.t.p, s.last)
		return err
	}))
	sc.Step(`^the response is a 4xx without an access token$`, wrap(func(_ context.Context, s *scenario) error {
		ex := s.last
		if ex.Status < 400 || ex.Status > 499 {
			return failf("want a 4xx (e.g. 405 Method Not Allowed), got %s%s", ex.StatusText, bodyHint(ex))
		}
		if m, err := decodeJSONObject(ex.RespBody); err == nil && m["access_token"] != nil {
			return failf("the response carries an access_token")
		}
		return nil
	}))
	sc.Step(`^the response is 401 with a "([^"]*)" WWW-Authenticate challenge$`, wrap1(func(_ context.Context, s *scenario, scheme string) error {
		ex := s.last
		if ex.Status != http.StatusUnauthorized {
			return failf("want 401 for invalid_client via the Authorization header (RFC 6749 §5.2), got %s", ex.StatusText)
		}
		if hasChallenge(ex, scheme) {
			return nil
		}
		return failf("401 without a WWW-Authenticate %s challenge (RFC 6749 §5.2); got %q", scheme, ex.Header("WWW-Authenticate"))
	}))

	// Negative token requests.
	sc.Step(`^the client requests a "([^"]*)" token with a wrong client secret$`, wrap1(func(ctx context.Context, s *scenario, g string) error {
		cl := s.mainClient()
		cl.secret = "wrong-" + randomString(6)
		_, err := s.requestGrant(ctx, g, reqMod{client: &cl})
		return err
	}))
	sc.Step(`^the client requests a "([^"]*)" token without client authentication$`, wrap1(func(ctx context.Context, s *scenario, g string) error {
		if s.t.p.ClientAuthFor(g) == profile.ClientAuthNone {
			return errSkip("profile %s uses no client authentication for the %s grant", s.t.p.Name, g)
		}
		_, err := s.requestGrant(ctx, g, reqMod{noClientAuth: true})
		return err
	}))
	sc.Step(`^a public client is configured$`, wrap(func(_ context.Context, s *scenario) error {
		if _, _, ok := s.publicClient(); !ok {
			return errSkip("no public client: set public_client_id and public_redirect_uri")
		}
		return nil
	}))
	sc.Step(`^the public client requests a "([^"]*)" token$`, wrap1(func(ctx context.Context, s *scenario, g string) error {
		cl, _, _ := s.publicClient()
		_, err := s.requestGrant(ctx, g, reqMod{client: &cl})
		return err
	}))
	sc.Step(`^the client requests a token with a wrong client secret via HTTP Basic$`, wrap(func(ctx context.Context, s *scenario) error {
		cl := s.mainClient()
		cl.secret = "wrong-" + randomString(6)
		tr, _, err := s.primaryRequest(ctx, reqMod{client: &cl, auth: profile.ClientAuthBasic})
		if err != nil {
			return err
		}
		_, err = s.sendToken(ctx, tr)
		return err
	}))
	sc.Step(`^the client requests a "([^"]*)" token with a wrong password$`, wrap1(func(ctx context.Context, s *scenario, g string) error {
		_, err := s.requestGrant(ctx, g, reqMod{extra: map[string]string{"password": "wrong-" + randomString(6)}})
		return err
	}))
	sc.Step(`^an unregistered client requests a "([^"]*)" token$`, wrap1(func(ctx context.Context, s *scenario, g string) error {
		cl := clientCreds{id: "oauthconf-unknown-client", secret: "unknown-" + randomString(6)}
		extra := map[string]string{}
		if _, fixed := s.t.p.Grants[g].Params["client_id"]; fixed {
			extra["client_id"] = cl.id
		}
		_, err := s.requestGrant(ctx, g, reqMod{client: &cl, extra: extra})
		return err
	}))
	sc.Step(`^the client requests a token with grant_type "([^"]*)"$`, wrap1(func(ctx context.Context, s *scenario, gt string) error {
		return s.sendPrimary(ctx, reqMod{extra: map[string]string{"grant_type": gt}})
	}))
	sc.Step(`^the client requests a token without grant_type$`, wrap(func(ctx context.Context, s *scenario) error {
		return s.sendPrimary(ctx, reqMod{extra: map[string]string{"grant_type": ""}})
	}))
	sc.Step(`^the client requests a "([^"]*)" token without the "([^"]*)" parameter$`, wrap2(func(ctx context.Context, s *scenario, g, param string) error {
		m := reqMod{extra: map[string]string{param: ""}}
		var tr *profile.TokenRequest
		var err error
		switch g {
		case profile.GrantAuthorizationCode:
			if err = s.getCode(ctx); err != nil {
				return err
			}
			tr, err = s.exchangeRequest(s.code, m)
		case profile.GrantRefreshToken:
			if err = s.holdRefresh(ctx); err != nil {
				return err
			}
			tr, err = s.refreshRequest(s.refresh, m)
		default:
			if param == "client_id" {
				m.noClientAuth = true
			}
			tr, err = s.buildToken(g, m)
		}
		if err != nil {
			return err
		}
		_, err = s.sendToken(ctx, tr)
		return err
	}))
	sc.Step(`^the client requests a token with its own client authentication$`, wrap(func(ctx context.Context, s *scenario) error {
		return s.sendPrimary(ctx, reqMod{})
	}))
	sc.Step(`^the client requests a token with its client credentials in the query string$`, wrap(func(ctx context.Context, s *scenario) error {
		cl := s.mainClient()
		return s.sendPrimary(ctx, reqMod{noClientAuth: true, query: url.Values{"client_id": {cl.id}, "client_secret": {cl.secret}}})
	}))
	sc.Step(`^the client requests a token with GET$`, wrap(func(ctx context.Context, s *scenario) error {
		return s.sendPrimary(ctx, reqMod{method: http.MethodGet})
	}))
	sc.Step(`^the client requests a token with the grant_type parameter repeated$`, wrap(func(ctx context.Context, s *scenario) error {
		tr, g, err := s.primaryRequest(ctx, reqMod{})
		if err != nil {
			return err
		}
		tr.Body = append(tr.Body, []byte("&grant_type="+url.QueryEscape(g))...)
		_, err = s.sendToken(ctx, tr)
		return err
	}))
	sc.Step(`^the client requests a token with an unknown parameter$`, wrap(func(ctx context.Context, s *scenario) error {
		return s.sendPrimary(ctx, reqMod{extra: map[string]string{"oauthconf_unknown_param": "ignored"}})
	}))

	// Authorization endpoint.
	sc.Step(`^the client requests authorization(?: with state "([^"]*)")?$`, wrap1(func(ctx context.Context, s *scenario, state string) error {
		ru, err := s.redirectURI()
		if err != nil {
			return err
		}
		s.state = state
		_, err = s.authorize(ctx, s.mainClient().id, ru, "code", state, nil)
		return err
	}))
	sc.Step(`^the authorization server redirects to the registered redirect URI with a code$`, wrap(func(_ context.Context, s *scenario) error {
		ru, err := s.redirectURI()
		if err != nil {
			return err
		}
		return s.expectCodeRedirect(s.auth, ru)
	}))
	sc.Step(`^the redirect carries the state "([^"]*)"$`, wrap1(func(_ context.Context, s *scenario, state string) error {
		_, q, _ := splitLocation(s.auth.Header("Location"))
		vals, err := url.ParseQuery(q)
		if err != nil {
			return failf("redirect query is not valid URL encoding: %v", err)
		}
		if got := vals.Get("state"); got != state {
			return failf("redirect carries state %q, want the request's %q (RFC 6749 §4.1.2)", got, state)
		}
		return nil
	}))
	sc.Step(`^the code in Location is percent-encoded$`, wrap(func(_ context.Context, s *scenario) error {
		for i := 0; i < len(s.rawCode); i++ {
			c := s.rawCode[i]
			switch {
			case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '.', c == '_', c == '~':
			case c == '%' && i+2 < len(s.rawCode)+0 && isHex(s.rawCode[i+1]) && isHex(s.rawCode[i+2]):
				i += 2
			default:
				return failf("the code in Location has the raw character %q; it must be URL-encoded (Ucommerce: the code is URL-encoded and must be decoded once)", c)
			}
		}
		return nil
	}))
	sc.Step(`^the client has an authorization code$`, wrap(func(ctx context.Context, s *scenario) error { return s.getCode(ctx) }))
	sc.Step(`^the client exchanges the code$`, wrap(func(ctx context.Context, s *scenario) error {
		_, err := s.exchange(ctx, s.code, reqMod{})
		return err
	}))
	sc.Step(`^the client has exchanged the code$`, wrap(func(ctx context.Context, s *scenario) error {
		ex, err := s.exchange(ctx, s.code, reqMod{})
		if err != nil {
			return err
		}
		_, err = parseTokenResponse(ex, profile.GrantAuthorizationCode)
		return err
	}))
	sc.Step(`^the client exchanges the code again$`, wrap(func(ctx context.Context, s *scenario) error {
		_, err := s.exchange(ctx, s.code, reqMod{})
		return err
	}))
	sc.Step(`^the client exchanges the code still URL-encoded$`, wrap(func(ctx context.Context, s *scenario) error {
		if s.rawCode == s.code {
			return errSkip("this code has no characters that URL-encoding changes")
		}
		_, err := s.exchange(ctx, s.rawCode, reqMod{})
		return err
	}))
	sc.Step(`^the client exchanges the code decoded twice$`, wrap(func(ctx context.Context, s *scenario) error {
		twice, err := url.QueryUnescape(s.code)
		if err != nil || twice == s.code {
			return errSkip("this code has no characters that a second decoding changes")
		}
		_, err = s.exchange(ctx, twice, reqMod{})
		return err
	}))
	sc.Step(`^the client exchanges the code form-decoded$`, wrap(func(ctx context.Context, s *scenario) error {
		// The decoded code put into a form body without form-encoding it: the
		// server's form decoding turns '+' into a space and '%XX' into bytes.
		if s.t.p.Token.Encoding != profile.EncodingForm {
			return errSkip("profile %s does not send form bodies", s.t.p.Name)
		}
		if !strings.ContainsAny(s.code, "+%&") {
			return errSkip("this code has no characters that form decoding changes")
		}
		tr, err := s.exchangeRequest(s.code, reqMod{rawCode: s.code})
		if err != nil {
			return err
		}
		_, err = s.sendToken(ctx, tr)
		return err
	}))
	sc.Step(`^the code lifetime passes$`, wrap(func(ctx context.Context, s *scenario) error {
		a := s.t.p.Authorize
		if a == nil || a.CodeTTL.Duration == 0 {
			return errSkip("profile %s documents no code lifetime (authorize.code_ttl)", s.t.p.Name)
		}
		return s.wait(ctx, a.CodeTTL.Duration+time.Second)
	}))
	sc.Step(`^(\d+) exchanges of the code are sent at once$`, wrap1(func(ctx context.Context, s *scenario, n string) error {
		k, _ := strconv.Atoi(n)
		// A race shows only sometimes: try up to raceRounds codes, and keep the
		// first round where other than exactly one exchange succeeded.
		for round := 0; round < raceRounds; round++ {
			if round > 0 {
				if err := s.getCode(ctx); err != nil {
					return err
				}
			}
			if err := s.raceExchanges(ctx, k); err != nil {
				return err
			}
			ok := 0
			for _, ex := range s.concurrent {
				if ex.Status == http.StatusOK {
					ok++
				}
			}
			if ok != 1 {
				break
			}
		}
		return nil
	}))
	sc.Step(`^exactly one exchange succeeds and the others are refused with "([^"]*)"$`, wrap1(func(_ context.Context, s *scenario, codes string) error {
		var ok []*Exchange
		for _, ex := range s.concurrent {
			if ex.Status == http.StatusOK {
				ok = append(ok, ex)
				if t, err := parseTokenResponse(ex, profile.GrantAuthorizationCode); err == nil {
					s.red.add(t.str("access_token"), t.str("refresh_token"))
				}
				continue
			}
			if err := checkErrorCode(s.t.p, ex, codes); err != nil {
				s.exchanges = append(s.exchanges, ex)
				return err
			}
		}
		if len(ok) != 1 {
			s.exchanges = append(s.exchanges, ok...)
			return failf("%d of %d concurrent exchanges of one code succeeded, want exactly 1 (RFC 6749 §10.5)", len(ok), len(s.concurrent))
		}
		return nil
	}))
	sc.Step(`^the second client exchanges the code with its own credentials$`, wrap(func(ctx context.Context, s *scenario) error {
		cl, _ := s.otherClient()
		_, err := s.exchange(ctx, s.code, reqMod{client: &cl})
		return err
	}))
	sc.Step(`^the client exchanges the code with a different redirect URI$`, wrap(func(ctx context.Context, s *scenario) error {
		_, err := s.exchange(ctx, s.code, reqMod{extra: map[string]string{"redirect_uri": mutate(s.codeRedirect, "extra path")}})
		return err
	}))
	sc.Step(`^the client requests authorization with the redirect URI changed by "([^"]*)"$`, wrap1(func(ctx context.Context, s *scenario, how string) error {
		ru, err := s.redirectURI()
		if err != nil {
			return err
		}
		if how == "explicit port" && loopbackRedirect(ru) {
			return errSkip("the registered redirect URI is a loopback one, and RFC 8252 §7.3 / RFC 9700 §2.1 let those use any port; register a non-loopback redirect URI (the suite never follows redirects) to check port matching")
		}
		m := mutate(ru, how)
		if m == "" {
			return fmt.Errorf("unknown redirect URI mutation %q", how)
		}
		_, err = s.authorize(ctx, s.mainClient().id, m, "code", "st-"+randomString(6), nil)
		return err
	}))
	sc.Step(`^the client requests authorization with an unregistered redirect URI$`, wrap(func(ctx context.Context, s *scenario) error {
		_, err := s.authorize(ctx, s.mainClient().id, "https://unregistered.oauthconf.invalid/callback", "code", "st-"+randomString(6), nil)
		return err
	}))
	sc.Step(`^an unknown client requests authorization$`, wrap(func(ctx context.Context, s *scenario) error {
		ru, err := s.redirectURI()
		if err != nil {
			return err
		}
		_, err = s.authorize(ctx, "oauthconf-unknown-client", ru, "code", "st-"+randomString(6), nil)
		return err
	}))
	sc.Step(`^the authorization server does not redirect and issues no code$`, wrap(func(_ context.Context, s *scenario) error {
		ex := s.auth
		loc := ex.Header("Location")
		if ex.Status >= 300 && ex.Status <= 399 && loc != "" {
			u, err := url.Parse(loc)
			if err == nil && u.IsAbs() && !strings.EqualFold(u.Host, s.t.client.base.Host) {
				return failf("the authorization server redirected to %s, an unregistered URI (RFC 6749 §4.1.2.1 MUST NOT)", s.red.text(loc))
			}
		}
		if _, q, f := splitLocation(loc); rawParams(q)["code"] != "" || rawParams(f)["code"] != "" || rawParams(f)["access_token"] != "" {
			return failf("a code or token was issued for an unregistered redirect URI")
		}
		if ex.Status >= 200 && ex.Status <= 299 {
			return failf("want the authorization request refused (4xx), got %s", ex.StatusText)
		}
		return nil
	}))
	sc.Step(`^the client requests authorization with response_type "([^"]*)" and state "([^"]*)"$`, wrap2(func(ctx context.Context, s *scenario, rt, state string) error {
		ru, err := s.redirectURI()
		if err != nil {
			return err
		}
		_, err = s.authorize(ctx, s.mainClient().id, ru, rt, state, nil)
		return err
	}))
	sc.Step(`^the authorization server redirects to the registered redirect URI with error "([^"]*)"$`, wrap1(func(_ context.Context, s *scenario, code string) error {
		ru, err := s.redirectURI()
		if err != nil {
			return err
		}
		return expectErrorRedirect(s, ru, code)
	}))

	// PKCE.
	sc.Step(`^the public client has an authorization code issued with an S256 challenge$`, wrap(func(ctx context.Context, s *scenario) error {
		cl, ru, ok := s.publicClient()
		if !ok {
			return errSkip("no public client: set public_client_id and public_redirect_uri")
		}
		v, c := pkcePair()
		ex, err := s.authorize(ctx, cl.id, ru, "code", "st-"+randomString(6), url.Values{"code_challenge": {c}, "code_challenge_method": {"S256"}})
		if err != nil {
			return err
		}
		s.codeClient = cl
		if err := s.expectCodeRedirect(ex, ru); err != nil {
			return err
		}
		s.verifier = v
		s.red.add(v)
		return nil
	}))
	sc.Step(`^the public client exchanges the code with the right code verifier$`, wrap(func(ctx context.Context, s *scenario) error {
		_, err := s.exchange(ctx, s.code, reqMod{})
		return err
	}))
	sc.Step(`^the public client exchanges the code with a wrong code verifier$`, wrap(func(ctx context.Context, s *scenario) error {
		wrong, _ := pkcePair()
		_, err := s.exchange(ctx, s.code, reqMod{extra: map[string]string{"code_verifier": wrong}})
		return err
	}))
	sc.Step(`^the public client exchanges the code without a code verifier$`, wrap(func(ctx context.Context, s *scenario) error {
		s.verifier = ""
		_, err := s.exchange(ctx, s.code, reqMod{})
		return err
	}))
	sc.Step(`^the profile requires PKCE of every client$`, wrap(func(_ context.Context, s *scenario) error {
		if a := s.t.p.Authorize; a == nil || a.PKCE != profile.PKCERequired {
			return errSkip("profile %s does not say the server requires PKCE of every client (authorize.pkce: required)", s.t.p.Name)
		}
		return nil
	}))
	sc.Step(`^the client requests authorization without a code challenge$`, wrap(func(ctx context.Context, s *scenario) error {
		ru, err := s.redirectURI()
		if err != nil {
			return err
		}
		s.noPKCE = true
		defer func() { s.noPKCE = false }()
		_, err = s.authorize(ctx, s.mainClient().id, ru, "code", "st-"+randomString(6), nil)
		s.codeRedirect = ru
		return err
	}))
	sc.Step(`^the client exchanges the code with a code verifier$`, wrap(func(ctx context.Context, s *scenario) error {
		if a := s.t.p.Authorize; a != nil && a.PKCE == profile.PKCERequired {
			return errSkip("profile %s requires PKCE of every client (authorize.pkce: required): no code is issued without a challenge", s.t.p.Name)
		}
		v, _ := pkcePair()
		_, err := s.exchange(ctx, s.code, reqMod{extra: map[string]string{"code_verifier": v}})
		return err
	}))
	sc.Step(`^the public client requests authorization with code_challenge_method "([^"]*)"$`, wrap1(func(ctx context.Context, s *scenario, method string) error {
		cl, ru, ok := s.publicClient()
		if !ok {
			return errSkip("no public client: set public_client_id and public_redirect_uri")
		}
		_, c := pkcePair()
		_, err := s.authorize(ctx, cl.id, ru, "code", "st-"+randomString(6), url.Values{"code_challenge": {c}, "code_challenge_method": {method}})
		s.codeRedirect = ru
		return err
	}))
	sc.Step(`^the authorization request is refused with "([^"]*)"$`, wrap1(func(_ context.Context, s *scenario, code string) error {
		ex := s.auth
		if ex.Status >= 300 && ex.Status <= 399 {
			return expectErrorRedirect(s, s.codeRedirect, code)
		}
		if ex.Status < 400 || ex.Status > 499 {
			return failf("want the authorization request refused with %s (an error redirect or 400), got %s", code, ex.StatusText)
		}
		if s.t.p.Errors.Format == "rfc6749" {
			if ve, err := parseError(s.t.p, ex); err != nil {
				return err
			} else if ve.code != code {
				return failf("want error %s, got %q", code, ve.code)
			}
		}
		return nil
	}))

	// Refresh.
	sc.Step(`^the client holds a refresh token$`, wrap(func(ctx context.Context, s *scenario) error { return s.holdRefresh(ctx) }))
	sc.Step(`^the client (?:refreshes|has refreshed) the token$`, wrap(func(ctx context.Context, s *scenario) error {
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
	}))
	sc.Step(`^the client refreshes with the old refresh token again$`, wrap(func(ctx context.Context, s *scenario) error {
		if s.oldRefresh == "" {
			return failf("the refresh did not return a new refresh token, so rotation cannot be checked%s", bodyHint(s.last))
		}
		tr, err := s.refreshRequest(s.oldRefresh, reqMod{})
		if err != nil {
			return err
		}
		_, err = s.sendToken(ctx, tr)
		return err
	}))
	sc.Step(`^the client refreshes with a made-up refresh token$`, wrap(func(ctx context.Context, s *scenario) error {
		tr, err := s.refreshRequest("oauthconf-made-up-"+randomString(24), reqMod{})
		if err != nil {
			return err
		}
		_, err = s.sendToken(ctx, tr)
		return err
	}))
	sc.Step(`^the second client refreshes the token with its own credentials$`, wrap(func(ctx context.Context, s *scenario) error {
		cl, _ := s.otherClient()
		tr, err := s.refreshRequest(s.refresh, reqMod{client: &cl})
		if err != nil {
			return err
		}
		_, err = s.sendToken(ctx, tr)
		return err
	}))
	sc.Step(`^the client refreshes the token asking for a wider scope$`, wrap(func(ctx context.Context, s *scenario) error {
		wider, _ := s.t.creds.Get("wider_scope")
		tr, err := s.refreshRequest(s.refresh, reqMod{extra: map[string]string{"scope": wider}})
		if err != nil {
			return err
		}
		_, err = s.sendToken(ctx, tr)
		return err
	}))

	// Protected resources.
	sc.Step(`^the "([^"]*)" resource accepts the access token$`, wrap1(func(ctx context.Context, s *scenario, name string) error {
		r, err := s.resource(name)
		if err != nil {
			return err
		}
		ex, err := s.callResource(ctx, name, "Bearer "+s.access, nil)
		if err != nil {
			return err
		}
		if ex.Status != r.OK {
			return failf("%s %s with a valid access token answered %s, want %d (RFC 6750 §2.1)%s", r.Method, r.Path, ex.StatusText, r.OK, bodyHint(ex))
		}
		return nil
	}))
	sc.Step(`^the "([^"]*)" resource answers 401 for the access token$`, wrap1(func(ctx context.Context, s *scenario, name string) error {
		ex, err := s.callResource(ctx, name, "Bearer "+s.access, nil)
		if err != nil {
			return err
		}
		if ex.Status != http.StatusUnauthorized {
			return failf("%s answered %s for the access token, want 401 (RFC 6750 §3.1)%s", name, ex.StatusText, bodyHint(ex))
		}
		return nil
	}))
	sc.Step(`^the client calls the "([^"]*)" resource with the access token$`, wrap1(func(ctx context.Context, s *scenario, name string) error {
		_, err := s.callResource(ctx, name, "Bearer "+s.access, nil)
		return err
	}))
	sc.Step(`^the client calls the "([^"]*)" resource with the scheme written "([^"]*)"$`, wrap2(func(ctx context.Context, s *scenario, name, scheme string) error {
		_, err := s.callResource(ctx, name, scheme+" "+s.access, nil)
		return err
	}))
	sc.Step(`^the client calls the "([^"]*)" resource without a token$`, wrap1(func(ctx context.Context, s *scenario, name string) error {
		_, err := s.callResource(ctx, name, "", nil)
		return err
	}))
	sc.Step(`^the client calls the "([^"]*)" resource with a malformed token$`, wrap1(func(ctx context.Context, s *scenario, name string) error {
		_, err := s.callResource(ctx, name, "Bearer not.a-valid~token", nil)
		return err
	}))
	sc.Step(`^the client calls the "([^"]*)" resource with a forged copy of the access token$`, wrap1(func(ctx context.Context, s *scenario, name string) error {
		f := forge(s.access)
		s.red.add(f)
		_, err := s.callResource(ctx, name, "Bearer "+f, nil)
		return err
	}))
	sc.Step(`^the resource answers (\d+)$`, wrap1(func(_ context.Context, s *scenario, code string) error {
		want, _ := strconv.Atoi(code)
		if s.last.Status != want {
			return failf("%s %s answered %s, want %d%s", s.last.Method, pathOf(s.last.URL), s.last.StatusText, want, bodyHint(s.last))
		}
		return nil
	}))
	sc.Step(`^the resource answers the documented success status$`, wrap(func(_ context.Context, s *scenario) error {
		r, _ := s.resource("protected")
		if s.last.Status != r.OK {
			return failf("answered %s, want %d (the auth scheme is case-insensitive: RFC 6750 §2.1, RFC 7235 §2.1)%s", s.last.StatusText, r.OK, bodyHint(s.last))
		}
		return nil
	}))
	sc.Step(`^the answer carries a Bearer challenge without an error code$`, wrap(func(_ context.Context, s *scenario) error {
		p, ok := bearerChallengeOf(s.last)
		if !ok {
			return failf("401 without WWW-Authenticate: Bearer (RFC 6750 §3); got %q", s.last.Header("WWW-Authenticate"))
		}
		if e := p["error"]; e != "" {
			return failf("the challenge to a request without credentials carries error=%q (RFC 6750 §3 SHOULD NOT)", e)
		}
		return nil
	}))
	sc.Step(`^the answer carries a Bearer challenge with error "([^"]*)"$`, wrap1(func(_ context.Context, s *scenario, code string) error {
		p, ok := bearerChallengeOf(s.last)
		if !ok {
			return failf("401 without WWW-Authenticate: Bearer (RFC 6750 §3); got %q", s.last.Header("WWW-Authenticate"))
		}
		if p["error"] != code {
			return failf("the Bearer challenge has error=%q, want %q (RFC 6750 §3.1)", p["error"], code)
		}
		return nil
	}))
	sc.Step(`^the access token lifetime passes$`, wrap(func(ctx context.Context, s *scenario) error {
		ei, err := s.token.expiresIn()
		if err != nil || ei <= 0 {
			if gr := s.t.p.Grants[s.token.grant]; gr != nil && gr.ExpiresIn > 0 {
				ei = int64(gr.ExpiresIn)
			} else {
				return errSkip("the access token's lifetime is unknown")
			}
		}
		return s.wait(ctx, time.Duration(ei)*time.Second+time.Second)
	}))
	sc.Step(`^the access token is revoked$`, wrap(revokeAccess))

	registerIntrospection(sc)

	// Revocation (RFC 7009).
	sc.Step(`^the client revokes a made-up token$`, wrap(func(ctx context.Context, s *scenario) error {
		_, err := s.revoke(ctx, "oauthconf-made-up-"+randomString(24), "")
		return err
	}))
	sc.Step(`^the client revokes the refresh token$`, wrap(func(ctx context.Context, s *scenario) error {
		ex, err := s.revoke(ctx, s.refresh, "refresh_token")
		if err != nil {
			return err
		}
		if ex.Status != http.StatusOK {
			return failf("revocation answered %s, want 200 (RFC 7009 §2.2)%s", ex.StatusText, bodyHint(ex))
		}
		return nil
	}))
	sc.Step(`^the revocation response is 200$`, wrap(func(_ context.Context, s *scenario) error {
		if s.last.Status != http.StatusOK {
			return failf("revocation answered %s, want 200 (RFC 7009 §2.2)%s", s.last.StatusText, bodyHint(s.last))
		}
		return nil
	}))

	// Elastic Path customer and account-member tokens.
	sc.Step(`^the client has a customer token$`, wrap(func(ctx context.Context, s *scenario) error { return s.userToken(ctx, "customer", false) }))
	sc.Step(`^the client has an account-member token$`, wrap(func(ctx context.Context, s *scenario) error { return s.userToken(ctx, "account", false) }))
	sc.Step(`^the client requests a customer token with a wrong password$`, wrap(func(ctx context.Context, s *scenario) error { return s.userToken(ctx, "customer", true) }))
	sc.Step(`^the client requests an account-member token with a wrong password$`, wrap(func(ctx context.Context, s *scenario) error { return s.userToken(ctx, "account", true) }))
	sc.Step(`^the user token request is refused$`, wrap(func(_ context.Context, s *scenario) error {
		if s.last.Status != 401 && s.last.Status != 400 && s.last.Status != 403 {
			return failf("want the token request refused (400/401/403), got %s%s", s.last.StatusText, bodyHint(s.last))
		}
		return nil
	}))
	sc.Step(`^the client calls the "([^"]*)" resource with the access token and the (customer|account-member) token$`, wrap2(func(ctx context.Context, s *scenario, name, kind string) error {
		key, hdr := "customer", "customer_token_header"
		if kind == "account-member" {
			key, hdr = "account", "account_token_header"
		}
		h := s.t.p.Extensions[hdr]
		if h == "" {
			return errSkip("profile %s has no extensions.%s", s.t.p.Name, hdr)
		}
		_, err := s.callResource(ctx, name, "Bearer "+s.access, map[string]string{h: s.userTokens[key]})
		return err
	}))
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func pathOf(u string) string {
	if x, err := url.Parse(u); err == nil {
		return x.Path
	}
	return u
}

// supportsGrant skips unless the profile declares grant g at a level other than off.
func supportsGrant(_ context.Context, s *scenario, g string) error {
	gr, ok := s.t.p.Grants[g]
	if !ok {
		return errSkip("profile %s does not support the %s grant", s.t.p.Name, g)
	}
	if gr.Level == profile.LevelOff {
		return errSkip("profile %s switches the %s grant's checks off (level: off)", s.t.p.Name, g)
	}
	if gr.Level != "" && requirementLevel(s.t.p, s.record.Tags) == "" {
		s.record.Level = gr.Level
	}
	return nil
}

// grantOf guesses the grant of the last token request from its parameters.
func (s *scenario) grantOf() string {
	if s.last != nil {
		if strings.Contains(string(s.last.ReqBody), "authorization_code") {
			return profile.GrantAuthorizationCode
		}
	}
	return s.grant
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

// holdAccess obtains an access token with the first grant the profile supports.
func holdAccess(ctx context.Context, s *scenario) error {
	for _, g := range []string{profile.GrantClientCredentials, profile.GrantPassword, profile.GrantAuthorizationCode, profile.GrantImplicit} {
		if s.t.p.Supports(g) {
			_, err := s.obtain(ctx, g)
			return err
		}
	}
	return errSkip("profile %s has no grant that issues an access token", s.t.p.Name)
}

// revokeAccess revokes the current access token with RFC 7009 when the profile
// has a revocation endpoint, else by replaying the authorization code it came
// from (RFC 6749 §4.1.2); otherwise the profile documents no revocation.
func revokeAccess(ctx context.Context, s *scenario) error {
	if s.t.p.Revocation != nil && s.t.p.Revocation.Path != "" {
		ex, err := s.revoke(ctx, s.access, "access_token")
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
	if s.t.p.Supports(profile.GrantAuthorizationCode) {
		if s.grant != profile.GrantAuthorizationCode || s.code == "" {
			if _, err := s.obtain(ctx, profile.GrantAuthorizationCode); err != nil {
				return err
			}
		}
		_, err := s.exchange(ctx, s.code, reqMod{})
		return err
	}
	return errSkip("profile %s documents no way to revoke an access token (no revocation endpoint, no authorization code to replay)", s.t.p.Name)
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
	if s.access == "" {
		if err := holdAccess(ctx, s); err != nil {
			return err
		}
	}
	if wrongPassword {
		data["password"] = "wrong-" + randomString(6)
	}
	body, _ := jsonMarshal(map[string]any{"data": data})
	ex, err := s.send(ctx, http.MethodPost, path, http.Header{"Authorization": {"Bearer " + s.access}, "Content-Type": {"application/json"}, "Accept": {"application/json"}}, body)
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

// expectErrorRedirect checks an RFC 6749 §4.1.2.1 error redirect to ru.
func expectErrorRedirect(s *scenario, ru, code string) error {
	ex := s.auth
	if ex.Status < 300 || ex.Status > 399 {
		return failf("want a redirect to %s with error=%s (RFC 6749 §4.1.2.1), got %s%s", ru, code, ex.StatusText, bodyHint(ex))
	}
	base, q, _ := splitLocation(ex.Header("Location"))
	if base != ru {
		return failf("error redirect goes to %q, want the registered %q", base, ru)
	}
	vals, err := url.ParseQuery(q)
	if err != nil {
		return failf("error redirect query is not valid URL encoding: %v", err)
	}
	if vals.Get("code") != "" {
		return failf("the error redirect carries a code")
	}
	if got := vals.Get("error"); got != code {
		return failf("error redirect carries error=%q, want %q", got, code)
	}
	return nil
}

// loopbackRedirect reports whether ru's host is a loopback IP literal or
// "localhost", whose port a server may leave unmatched (RFC 8252 §7.3).
func loopbackRedirect(ru string) bool { return httpx.IsLoopback(ru) }

// mutate returns redirect URI ru changed in one way an exact-match check must
// refuse (RFC 9700 §2.1), or "" for an unknown mutation.
func mutate(ru, how string) string {
	u, err := url.Parse(ru)
	if err != nil {
		return ""
	}
	switch how {
	case "extra path":
		u.Path = strings.TrimSuffix(u.Path, "/") + "/extra"
	case "extra query":
		q := u.Query()
		q.Set("extra", "1")
		u.RawQuery = q.Encode()
	case "trailing slash":
		if strings.HasSuffix(u.Path, "/") {
			u.Path += "x/"
		} else {
			u.Path += "/"
		}
	case "upper case":
		up := strings.ToUpper(u.Path)
		if up == u.Path {
			up = strings.ToLower(u.Path) + "X"
		}
		u.Path = up
	case "explicit port":
		port := "8443"
		if u.Port() == "8443" {
			port = "8444"
		}
		u.Host = u.Hostname() + ":" + port
	case "subdomain":
		u.Host = "evil." + u.Host
	case "userinfo":
		u.User = url.User("attacker")
	default:
		return ""
	}
	return u.String()
}

// raceRounds is how many codes the concurrent-exchange scenario races.
const raceRounds = 3

// raceExchanges sends k identical exchanges of the current code at once
// (RFC 6749 §10.5) and keeps them in s.concurrent.
func (s *scenario) raceExchanges(ctx context.Context, k int) error {
	// Open k connections first, so that the exchanges leave together instead
	// of queueing behind TCP handshakes.
	var wg sync.WaitGroup
	for i := 0; i < k; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = s.t.client.do(ctx, http.MethodGet, "/", nil, nil)
		}()
	}
	wg.Wait()
	tr, err := s.exchangeRequest(s.code, reqMod{})
	if err != nil {
		return err
	}
	exs := make([]*Exchange, k)
	errs := make([]error, k)
	start := make(chan struct{})
	for i := 0; i < k; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			exs[i], errs[i] = s.t.client.do(ctx, tr.Method, tr.Path, tr.Header, tr.Body)
		}(i)
	}
	close(start)
	wg.Wait()
	s.concurrent = exs
	for i, e := range errs {
		if e != nil {
			s.exchanges = append(s.exchanges, exs[i])
			return e
		}
	}
	return nil
}

// control wraps the error of a control step (the unfaulted request a negative
// check is measured against); skips pass through unchanged.
func control(_ any, err error) error {
	if err == nil || errors.Is(err, godog.ErrSkip) {
		return err
	}
	return failf("control failed (the fault-free case must work first, or a refusal proves nothing): %v", err)
}
