package steps

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/oauthconf/oauthconf/profile"
)

// registerBearer adds the protected-resource steps (RFC 6750): access with
// valid, missing, malformed, forged, expired and revoked tokens, and the
// WWW-Authenticate challenges. Features: bearer.feature, implicit.feature.
func registerBearer(sc stepper) {
	sc.Step(`^the "([^"]*)" resource accepts a fresh access token$`, wrap1(theResourceAcceptsAFreshAccessToken))
	sc.Step(`^the "([^"]*)" resource accepts the access token$`, wrap1(theResourceAcceptsTheAccessToken))
	sc.Step(`^the "([^"]*)" resource answers 401 for the access token$`, wrap1(theResourceAnswers401ForTheAccessToken))
	sc.Step(`^the client calls the "([^"]*)" resource with the access token$`, wrap1(theClientCallsTheResourceWithTheAccessToken))
	sc.Step(`^the client calls the "([^"]*)" resource with the scheme written "([^"]*)"$`, wrap2(theClientCallsTheResourceWithTheSchemeWritten))
	sc.Step(`^the client calls the "([^"]*)" resource without a token$`, wrap1(theClientCallsTheResourceWithoutAToken))
	sc.Step(`^the client calls the "([^"]*)" resource with a malformed token$`, wrap1(theClientCallsTheResourceWithAMalformedToken))
	sc.Step(`^the client calls the "([^"]*)" resource with a forged copy of the access token$`, wrap1(theClientCallsTheResourceWithAForgedCopyOfTheAccessToken))
	sc.Step(`^the resource answers (\d+)$`, wrap1(theResourceAnswersN))
	sc.Step(`^the resource answers the documented success status$`, wrap(theResourceAnswersTheDocumentedSuccessStatus))
	sc.Step(`^the answer carries a Bearer challenge without an error code$`, wrap(theAnswerCarriesABearerChallengeWithoutAnErrorCode))
	sc.Step(`^the answer carries a Bearer challenge with error "([^"]*)"$`, wrap1(theAnswerCarriesABearerChallengeWithError))
	sc.Step(`^the access token lifetime passes$`, wrap(theAccessTokenLifetimePasses))
}

func theResourceAcceptsAFreshAccessToken(ctx context.Context, name string) error {
	s := fromCtx(ctx)
	r, err := s.resource(name)
	if err != nil {
		return err
	}
	if err := s.holdAccessFrom(ctx, s.resourceGrant(name)); err != nil {
		return control(err)
	}
	ex, err := s.callResource(ctx, name, "Bearer "+s.tok.access, nil)
	if err != nil {
		return err
	}
	if ex.Status != r.OK {
		return control(failf("%s %s with a valid access token answered %s, want %d%s", r.Method, r.Path, ex.StatusText, r.OK, bodyHint(ex)))
	}
	return nil
}

func theResourceAcceptsTheAccessToken(ctx context.Context, name string) error {
	s := fromCtx(ctx)
	r, err := s.resource(name)
	if err != nil {
		return err
	}
	ex, err := s.callResource(ctx, name, "Bearer "+s.tok.access, nil)
	if err != nil {
		return err
	}
	if ex.Status != r.OK {
		return failf("%s %s with a valid access token answered %s, want %d (RFC 6750 §2.1)%s", r.Method, r.Path, ex.StatusText, r.OK, bodyHint(ex))
	}
	return nil
}

func theResourceAnswers401ForTheAccessToken(ctx context.Context, name string) error {
	s := fromCtx(ctx)
	ex, err := s.callResource(ctx, name, "Bearer "+s.tok.access, nil)
	if err != nil {
		return err
	}
	if ex.Status != http.StatusUnauthorized {
		return failf("%s answered %s for the access token, want 401 (RFC 6750 §3.1)%s", name, ex.StatusText, bodyHint(ex))
	}
	return nil
}

func theClientCallsTheResourceWithTheAccessToken(ctx context.Context, name string) error {
	s := fromCtx(ctx)
	_, err := s.callResource(ctx, name, "Bearer "+s.tok.access, nil)
	return err
}

func theClientCallsTheResourceWithTheSchemeWritten(ctx context.Context, name, scheme string) error {
	s := fromCtx(ctx)
	_, err := s.callResource(ctx, name, scheme+" "+s.tok.access, nil)
	return err
}

func theClientCallsTheResourceWithoutAToken(ctx context.Context, name string) error {
	s := fromCtx(ctx)
	_, err := s.callResource(ctx, name, "", nil)
	return err
}

func theClientCallsTheResourceWithAMalformedToken(ctx context.Context, name string) error {
	s := fromCtx(ctx)
	_, err := s.callResource(ctx, name, "Bearer not.a-valid~token", nil)
	return err
}

func theClientCallsTheResourceWithAForgedCopyOfTheAccessToken(ctx context.Context, name string) error {
	s := fromCtx(ctx)
	return s.callWithDerivedToken(ctx, name, forge(s.tok.access))
}

// callWithDerivedToken calls the resource with a token made from the
// access token (forged, unsigned): it is as secret as the original, so the
// transcripts redact it too (RFC 6750 §5.3).
func (s *scenario) callWithDerivedToken(ctx context.Context, name, tok string) error {
	s.red.add(tok)
	_, err := s.callResource(ctx, name, "Bearer "+tok, nil)
	return err
}

func theResourceAnswersN(ctx context.Context, want int) error {
	s := fromCtx(ctx)
	if s.last.Status != want {
		return failf("%s %s answered %s, want %d%s", s.last.Method, pathOf(s.last.URL), s.last.StatusText, want, bodyHint(s.last))
	}
	return nil
}

func theResourceAnswersTheDocumentedSuccessStatus(ctx context.Context) error {
	s := fromCtx(ctx)
	r, _ := s.resource("protected")
	if s.last.Status != r.OK {
		return failf("answered %s, want %d (the auth scheme is case-insensitive: RFC 6750 §2.1, RFC 7235 §2.1)%s", s.last.StatusText, r.OK, bodyHint(s.last))
	}
	return nil
}

func theAnswerCarriesABearerChallengeWithoutAnErrorCode(ctx context.Context) error {
	s := fromCtx(ctx)
	p, ok := bearerChallengeOf(s.last)
	if !ok {
		return failf("401 without WWW-Authenticate: Bearer (RFC 6750 §3); got %q", s.last.Header("WWW-Authenticate"))
	}
	if e := p["error"]; e != "" {
		return failf("the challenge to a request without credentials carries error=%q (RFC 6750 §3 SHOULD NOT)", e)
	}
	return nil
}

func theAnswerCarriesABearerChallengeWithError(ctx context.Context, code string) error {
	s := fromCtx(ctx)
	p, ok := bearerChallengeOf(s.last)
	if !ok {
		return failf("401 without WWW-Authenticate: Bearer (RFC 6750 §3); got %q", s.last.Header("WWW-Authenticate"))
	}
	if p["error"] != code {
		return failf("the Bearer challenge has error=%q, want %q (RFC 6750 §3.1)", p["error"], code)
	}
	return nil
}

func theAccessTokenLifetimePasses(ctx context.Context) error {
	s := fromCtx(ctx)
	ei, err := s.tok.current.expiresIn()
	if err != nil || ei <= 0 {
		if gr := s.t.p.Grants[s.tok.current.grant]; gr != nil && gr.ExpiresIn > 0 {
			ei = int64(gr.ExpiresIn)
		} else {
			return errSkip("the access token's lifetime is unknown")
		}
	}
	return s.wait(ctx, time.Duration(ei)*time.Second+time.Second)
}

func pathOf(u string) string {
	if x, err := url.Parse(u); err == nil {
		return x.Path
	}
	return u
}

// forge returns a token that looks like tok but is not valid: a JWT with a
// changed signature, or an opaque token with changed characters.
func forge(tok string) string {
	if parts := strings.Split(tok, "."); len(parts) == 3 && len(parts[2]) > 0 {
		sig := []byte(parts[2])
		for i := 0; i < len(sig) && i < 8; i++ {
			sig[i] = flipChar(sig[i])
		}
		return parts[0] + "." + parts[1] + "." + string(sig)
	}
	b := []byte(tok)
	for i := 0; i < len(b) && i < 8; i++ {
		b[i] = flipChar(b[i])
	}
	if string(b) == tok {
		return tok + hex.EncodeToString([]byte("x"))
	}
	return string(b)
}

func flipChar(c byte) byte {
	switch {
	case c >= '0' && c <= '8', c >= 'a' && c <= 'y', c >= 'A' && c <= 'Y':
		return c + 1
	case c == '9':
		return '0'
	case c == 'z':
		return 'a'
	case c == 'Z':
		return 'A'
	}
	return 'A'
}

// resource returns the profile's protected resource called name.
func (s *scenario) resource(name string) (*profile.Resource, error) {
	r, ok := s.t.p.Resources[name]
	if !ok || r == nil {
		return nil, errSkip("profile %s has no %q resource", s.t.p.Name, name)
	}
	return r, nil
}

// callResource calls resource name with an Authorization header value (none if
// auth is "") and extra headers.
func (s *scenario) callResource(ctx context.Context, name, auth string, extra map[string]string) (*Exchange, error) {
	r, err := s.resource(name)
	if err != nil {
		return nil, err
	}
	h := http.Header{"Accept": {"application/json"}}
	if auth != "" {
		h.Set("Authorization", auth)
	}
	for k, v := range r.Headers {
		ev, err := s.t.creds.Expand(v)
		if err != nil {
			return nil, fmt.Errorf("resources.%s.headers.%s: %w", name, k, err)
		}
		for tn, tv := range s.userTokens {
			ev = strings.ReplaceAll(ev, "${token."+tn+"}", tv)
		}
		h.Set(k, ev)
	}
	for k, v := range extra {
		h.Set(k, v)
	}
	var body []byte
	if r.Body != "" {
		body = []byte(r.Body)
		h.Set("Content-Type", "application/json")
	}
	ex, err := s.send(ctx, r.Method, r.Path, h, body)
	s.last = ex
	return ex, err
}
