package steps

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/oauthconf/oauthconf/internal/httpx"
	"github.com/oauthconf/oauthconf/profile"
)

// registerAuthorize adds the authorization endpoint steps (RFC 6749 §4.1):
// code redirects and state, the code's encoding, exchange, expiry and single
// use, binding to client and redirect URI, and redirect-URI matching (RFC 9700
// §2.1). Features: authorization_code.feature, redirect_uri.feature.
func registerAuthorize(sc stepper) {
	sc.Step(`^the registered redirect URI gets a code$`, wrap(theRegisteredRedirectURIGetsACode))
	sc.Step(`^the client requests authorization(?: with state "([^"]*)")?$`, wrap1(theClientRequestsAuthorization))
	sc.Step(`^the authorization server redirects to the registered redirect URI with a code$`, wrap(theAuthorizationServerRedirectsToTheRegisteredRedirectURIWithACode))
	sc.Step(`^the redirect carries the state "([^"]*)"$`, wrap1(theRedirectCarriesTheState))
	sc.Step(`^the code in Location is percent-encoded$`, wrap(theCodeInLocationIsPercentEncoded))
	sc.Step(`^the client has an authorization code$`, wrap(theClientHasAnAuthorizationCode))
	sc.Step(`^the client exchanges the code$`, wrap(theClientExchangesTheCode))
	sc.Step(`^the client has exchanged the code$`, wrap(theClientHasExchangedTheCode))
	sc.Step(`^the client exchanges the code again$`, wrap(theClientExchangesTheCodeAgain))
	sc.Step(`^the client exchanges the code still URL-encoded$`, wrap(theClientExchangesTheCodeStillURLEncoded))
	sc.Step(`^the client exchanges the code decoded twice$`, wrap(theClientExchangesTheCodeDecodedTwice))
	sc.Step(`^the client exchanges the code form-decoded$`, wrap(theClientExchangesTheCodeFormDecoded))
	sc.Step(`^the code lifetime passes$`, wrap(theCodeLifetimePasses))
	sc.Step(`^(\d+) exchanges of the code are sent at once$`, wrap1(nExchangesOfTheCodeAreSentAtOnce))
	sc.Step(`^exactly one exchange succeeds and the others are refused with "([^"]*)"$`, wrap1(exactlyOneExchangeSucceedsAndTheOthersAreRefusedWith))
	sc.Step(`^the second client exchanges the code with its own credentials$`, wrap(theSecondClientExchangesTheCodeWithItsOwnCredentials))
	sc.Step(`^the client exchanges the code with a different redirect URI$`, wrap(theClientExchangesTheCodeWithADifferentRedirectURI))
	sc.Step(`^the client requests authorization with the redirect URI changed by "([^"]*)"$`, wrap1(theClientRequestsAuthorizationWithTheRedirectURIChangedBy))
	sc.Step(`^the client requests authorization with an unregistered redirect URI$`, wrap(theClientRequestsAuthorizationWithAnUnregisteredRedirectURI))
	sc.Step(`^an unknown client requests authorization$`, wrap(anUnknownClientRequestsAuthorization))
	sc.Step(`^the authorization server does not redirect and issues no code$`, wrap(theAuthorizationServerDoesNotRedirectAndIssuesNoCode))
	sc.Step(`^the client requests authorization with response_type "([^"]*)" and state "([^"]*)"$`, wrap2(theClientRequestsAuthorizationWithResponseTypeAndState))
	sc.Step(`^the authorization server redirects to the registered redirect URI with error "([^"]*)"$`, wrap1(theAuthorizationServerRedirectsToTheRegisteredRedirectURIWithError))
}

func theRegisteredRedirectURIGetsACode(ctx context.Context) error {
	s := fromCtx(ctx)
	return control(s.getCode(ctx))
}

func theClientRequestsAuthorization(ctx context.Context, state string) error {
	s := fromCtx(ctx)
	ru, err := s.redirectURI()
	if err != nil {
		return err
	}
	s.code.state = state
	_, err = s.authorize(ctx, s.mainClient().id, ru, "code", state, nil)
	return err
}

func theAuthorizationServerRedirectsToTheRegisteredRedirectURIWithACode(ctx context.Context) error {
	s := fromCtx(ctx)
	ru, err := s.redirectURI()
	if err != nil {
		return err
	}
	return s.expectCodeRedirect(ru)
}

func theRedirectCarriesTheState(ctx context.Context, state string) error {
	s := fromCtx(ctx)
	loc, _, err := s.answered()
	if err != nil {
		return err
	}
	_, q, _ := splitLocation(loc)
	vals, err := url.ParseQuery(q)
	if err != nil {
		return failf("redirect query is not valid URL encoding: %v", err)
	}
	if got := vals.Get("state"); got != state {
		return failf("redirect carries state %q, want the request's %q (RFC 6749 §4.1.2)", got, state)
	}
	return nil
}

func theCodeInLocationIsPercentEncoded(ctx context.Context) error {
	s := fromCtx(ctx)
	for i := 0; i < len(s.code.raw); i++ {
		c := s.code.raw[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '.', c == '_', c == '~':
		case c == '%' && i+2 < len(s.code.raw) && isHex(s.code.raw[i+1]) && isHex(s.code.raw[i+2]):
			i += 2
		default:
			return failf("the code in Location has the raw character %q; it must be URL-encoded (Ucommerce: the code is URL-encoded and must be decoded once)", c)
		}
	}
	return nil
}

func theClientHasAnAuthorizationCode(ctx context.Context) error {
	s := fromCtx(ctx)
	return s.getCode(ctx)
}

func theClientExchangesTheCode(ctx context.Context) error {
	s := fromCtx(ctx)
	_, err := s.exchange(ctx, s.code.value, reqMod{})
	return err
}

func theClientHasExchangedTheCode(ctx context.Context) error {
	s := fromCtx(ctx)
	ex, err := s.exchange(ctx, s.code.value, reqMod{})
	if err != nil {
		return err
	}
	_, err = parseTokenResponse(ex, profile.GrantAuthorizationCode)
	return err
}

func theClientExchangesTheCodeAgain(ctx context.Context) error {
	s := fromCtx(ctx)
	_, err := s.exchange(ctx, s.code.value, reqMod{})
	return err
}

func theClientExchangesTheCodeStillURLEncoded(ctx context.Context) error {
	s := fromCtx(ctx)
	if s.code.raw == s.code.value {
		return errSkip("this code has no characters that URL-encoding changes")
	}
	_, err := s.exchange(ctx, s.code.raw, reqMod{})
	return err
}

func theClientExchangesTheCodeDecodedTwice(ctx context.Context) error {
	s := fromCtx(ctx)
	twice, err := url.QueryUnescape(s.code.value)
	if err != nil || twice == s.code.value {
		return errSkip("this code has no characters that a second decoding changes")
	}
	_, err = s.exchange(ctx, twice, reqMod{})
	return err
}

func theClientExchangesTheCodeFormDecoded(ctx context.Context) error {
	s := fromCtx(ctx)
	// The decoded code put into a form body without form-encoding it: the
	// server's form decoding turns '+' into a space and '%XX' into bytes.
	// (The capability table skips a profile that sends no form bodies.)
	if !strings.ContainsAny(s.code.value, "+%&") {
		return errSkip("this code has no characters that form decoding changes")
	}
	tr, err := s.exchangeRequest(s.code.value, reqMod{rawCode: s.code.value})
	if err != nil {
		return err
	}
	_, err = s.sendToken(ctx, tr)
	return err
}

func theCodeLifetimePasses(ctx context.Context) error {
	s := fromCtx(ctx)
	a := s.t.p.Authorize
	if a == nil || a.CodeTTL.Duration == 0 {
		return errSkip("profile %s documents no code lifetime (authorize.code_ttl)", s.t.p.Name)
	}
	return s.wait(ctx, a.CodeTTL.Duration+time.Second)
}

func nExchangesOfTheCodeAreSentAtOnce(ctx context.Context, n int) error {
	s := fromCtx(ctx)
	return s.runRace(ctx, n, func(ctx context.Context, round int) (*tokenRequest, error) {
		if round > 0 {
			if err := s.getCode(ctx); err != nil {
				return nil, err
			}
		}
		return s.exchangeRequest(s.code.value, reqMod{})
	})
}

func exactlyOneExchangeSucceedsAndTheOthersAreRefusedWith(ctx context.Context, codes string) error {
	s := fromCtx(ctx)
	return s.judgeRace("exchanges of one code", "RFC 6749 §10.5", profile.GrantAuthorizationCode, codes)
}

func theSecondClientExchangesTheCodeWithItsOwnCredentials(ctx context.Context) error {
	s := fromCtx(ctx)
	cl, _ := otherClient(s.t.creds)
	_, err := s.exchange(ctx, s.code.value, reqMod{client: &cl})
	return err
}

func theClientExchangesTheCodeWithADifferentRedirectURI(ctx context.Context) error {
	s := fromCtx(ctx)
	other, err := mutate(s.code.redirect, "extra path")
	if err != nil {
		return err
	}
	_, err = s.exchange(ctx, s.code.value, reqMod{extra: map[string]string{"redirect_uri": other}})
	return err
}

func theClientRequestsAuthorizationWithTheRedirectURIChangedBy(ctx context.Context, how string) error {
	s := fromCtx(ctx)
	ru, err := s.redirectURI()
	if err != nil {
		return err
	}
	m, err := mutate(ru, how)
	if err != nil {
		return err
	}
	_, err = s.authorize(ctx, s.mainClient().id, m, "code", "st-"+randomString(6), nil)
	return err
}

func theClientRequestsAuthorizationWithAnUnregisteredRedirectURI(ctx context.Context) error {
	s := fromCtx(ctx)
	_, err := s.authorize(ctx, s.mainClient().id, "https://unregistered.oauthconf.invalid/callback", "code", "st-"+randomString(6), nil)
	return err
}

func anUnknownClientRequestsAuthorization(ctx context.Context) error {
	s := fromCtx(ctx)
	ru, err := s.redirectURI()
	if err != nil {
		return err
	}
	_, err = s.authorize(ctx, "oauthconf-unknown-client", ru, "code", "st-"+randomString(6), nil)
	return err
}

// theAuthorizationServerDoesNotRedirectAndIssuesNoCode judges a request
// with a bad redirect URI or client (RFC 6749 §4.1.2.1): a redirect to the
// bad URI at any hop is the failure, and so is one to another origin; a
// server may refuse at once or after its sign-in page, with an error status.
// A first answer that is a 2xx non-page fails as before; an interaction
// that stopped on a page it could not get through is not tested.
func theAuthorizationServerDoesNotRedirectAndIssuesNoCode(ctx context.Context) error {
	s := fromCtx(ctx)
	a := s.code.answer
	if a == nil || a.ex == nil {
		return harnessf("no authorization request was sent before this step")
	}
	if a.stop == stopReached {
		return failf("the authorization server redirected to %s at hop %d, an unregistered URI (RFC 6749 §4.1.2.1 MUST NOT)", s.red.text(a.location), a.hop)
	}
	ex := a.ex
	loc := ex.Header("Location")
	if ex.Status >= 300 && ex.Status <= 399 && loc != "" && s.redirectsToRequested(ex, loc) {
		return failf("the authorization server redirected to %s, an unregistered URI (RFC 6749 §4.1.2.1 MUST NOT)", s.red.text(loc))
	}
	if _, q, f := splitLocation(loc); rawParams(q)["code"] != "" || rawParams(f)["code"] != "" || rawParams(f)["access_token"] != "" {
		return failf("a code or token was issued for an unregistered redirect URI")
	}
	if ex.Status >= 500 {
		// A crash is not a refusal: it says nothing of what the server
		// does with the URI when it does not crash.
		return failCause(fmt.Sprintf("server error (HTTP %d) where a refusal was due", ex.Status),
			"server error (%d) instead of a refusal (RFC 6749 §4.1.2.1: inform the resource owner, do not redirect; a 5xx is never a correct refusal)%s", ex.Status, bodyHint(ex))
	}
	switch {
	case a.stop == stopRefused:
		return nil
	case a.stop == stopForeign:
		return control(a.err) // a refused request to an origin not allowed, not a redirect
	case a.hop > 1 || isHTMLPage(ex) || ex.Status == 0:
		return control(a.err)
	}
	if ex.Status >= 200 && ex.Status <= 299 {
		return failf("want the authorization request refused (4xx), got %s", ex.StatusText)
	}
	return nil
}

// redirectsToRequested reports whether Location loc of authorization answer
// ex leads away from the target (a host other than the target's and the
// authorization endpoint's) or to the redirect_uri the request named, on
// whatever host.
func (s *scenario) redirectsToRequested(ex *Exchange, loc string) bool {
	req, err := url.Parse(ex.URL)
	if err != nil {
		return false
	}
	u, err := req.Parse(loc)
	if err != nil {
		return false
	}
	if !strings.EqualFold(u.Host, s.t.client.base.Host) && !strings.EqualFold(u.Host, req.Host) {
		return true
	}
	asked := req.Query().Get("redirect_uri")
	base, _, _ := splitLocation(u.String())
	askedBase, _, _ := splitLocation(asked)
	return asked != "" && base == askedBase
}

func theClientRequestsAuthorizationWithResponseTypeAndState(ctx context.Context, rt, state string) error {
	s := fromCtx(ctx)
	ru, err := s.redirectURI()
	if err != nil {
		return err
	}
	_, err = s.authorize(ctx, s.mainClient().id, ru, rt, state, nil)
	return err
}

func theAuthorizationServerRedirectsToTheRegisteredRedirectURIWithError(ctx context.Context, code string) error {
	s := fromCtx(ctx)
	ru, err := s.redirectURI()
	if err != nil {
		return err
	}
	return s.expectErrorRedirect(ru, code)
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// expectErrorRedirect checks an RFC 6749 §4.1.2.1 error redirect to ru.
func (s *scenario) expectErrorRedirect(ru, code string) error {
	loc, ex, err := s.answered()
	if err != nil {
		return err
	}
	if loc == "" {
		return failf("want a redirect to %s with error=%s (RFC 6749 §4.1.2.1), got %s%s", ru, code, ex.StatusText, bodyHint(ex))
	}
	base, q, _ := splitLocation(loc)
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
