package steps

import (
	"context"
	"fmt"
	"sync"

	"github.com/oauthconf/oauthconf/profile"
)

// Uniqueness of issued tokens (tag token-unique): every access token and
// every refresh token the target issues is a string of its own, also for
// requests that arrive within one second (servers that derive tokens from
// the client, the user and a second-resolution time issue identical ones).
// Steps of token_response.feature, registered by registerToken.

// theClientObtainsNTokensWithTheGrantAtOnce prepares n token requests for
// grant g (a fresh code each for authorization_code, a fresh refresh token
// each for refresh_token), sends them together so that they are answered
// within the same second, and keeps every token response. The implicit
// grant through the authorization endpoint is obtained n times in a row. A
// request that does not give a token is a failed precondition: issuing
// tokens is checked elsewhere. The tokens obtained to prepare the requests
// (the refresh tokens to present, from one code exchange each) are compared
// first: identical ones are already the fault the scenario checks (and would
// make the refreshes' control fail), so they fail it there.
func theClientObtainsNTokensWithTheGrantAtOnce(ctx context.Context, n int, g string) error {
	s := fromCtx(ctx)
	if !s.t.p.Supports(g) {
		return errSkip("profile %s does not support the %s grant", s.t.p.Name, g)
	}
	if g == profile.GrantImplicit && implicitViaAuthorize(s.t.p) {
		for range n {
			if _, err := s.obtain(ctx, g); err != nil {
				return control(err)
			}
		}
		return nil
	}
	trs := make([]*tokenRequest, n)
	sent := make([]string, n) // the refresh token each refresh presents
	for i := range trs {
		tr, rt, err := s.uniqueRequest(ctx, g)
		if err != nil {
			return control(err)
		}
		trs[i], sent[i] = tr, rt
	}
	if err := s.firstDuplicate(); err != nil {
		return err
	}
	exs := s.sendTogether(ctx, trs)
	for i, ex := range exs {
		s.exchanges = append(s.exchanges, ex)
		s.last = ex
		if ex.Err != nil {
			return control(ex.Err)
		}
		t, err := parseTokenResponse(ex, g)
		if err != nil {
			return control(fmt.Errorf("request %d of %d sent together: %w", i+1, n, err))
		}
		s.keep(t)
		if sent[i] != "" {
			if s.tok.presented == nil {
				s.tok.presented = map[*tokenResponse]string{}
			}
			s.tok.presented[t] = sent[i]
		}
	}
	return nil
}

// uniqueRequest builds one token request for grant g with what it needs
// obtained first; for refresh_token it also returns the refresh token sent.
func (s *scenario) uniqueRequest(ctx context.Context, g string) (*tokenRequest, string, error) {
	switch g {
	case profile.GrantAuthorizationCode:
		if err := s.getCode(ctx); err != nil {
			return nil, "", err
		}
		tr, err := s.exchangeRequest(s.code.value, reqMod{})
		return tr, "", err
	case profile.GrantRefreshToken:
		if err := s.holdRefresh(ctx); err != nil {
			return nil, "", err
		}
		tr, err := s.refreshRequest(s.tok.refresh, reqMod{})
		return tr, s.tok.refresh, err
	}
	tr, err := s.tokenRequest(g, reqMod{})
	return tr, "", err
}

// sendTogether sends every request of trs at once, each from its own
// goroutine released by one channel, and returns the answers in order.
func (s *scenario) sendTogether(ctx context.Context, trs []*tokenRequest) []*Exchange {
	exs := make([]*Exchange, len(trs))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, tr := range trs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			exs[i], _ = s.t.client.do(ctx, tr.Method, tr.Path, tr.Header, tr.Body)
		}()
	}
	close(start)
	wg.Wait()
	return exs
}

// allAccessTokensAndRefreshTokensAreDifferent checks that no two token
// responses of the scenario carry the same access token, nor the same
// refresh token, except that a refresh response may hand back the refresh
// token it was sent (RFC 6749 §6: a new one is issued only where the server
// rotates).
func allAccessTokensAndRefreshTokensAreDifferent(ctx context.Context) error {
	s := fromCtx(ctx)
	if len(s.tok.all) < 2 {
		return harnessf("fewer than two token responses to compare (no step obtained several tokens)")
	}
	return s.firstDuplicate()
}

// firstDuplicate fails on the first two token responses of the scenario
// (s.tok.all) that carry the same access token or the same refresh token,
// a refresh response handing back the refresh token it was sent excepted.
func (s *scenario) firstDuplicate() error {
	access, refresh := map[string]int{}, map[string]int{}
	for i, t := range s.tok.all {
		a := t.str("access_token")
		if j, dup := access[a]; dup {
			return s.sameToken("access token", j, i)
		}
		access[a] = i
		rt := t.str("refresh_token")
		if rt == "" || rt == s.tok.presented[t] {
			continue
		}
		if j, dup := refresh[rt]; dup {
			return s.sameToken("refresh token", j, i)
		}
		refresh[rt] = i
	}
	return nil
}

// sameToken is the failure for token responses j and i (0-based, of
// s.tok.all) carrying the same token of kind.
func (s *scenario) sameToken(kind string, j, i int) error {
	a, b := s.tok.all[j], s.tok.all[i]
	return failf("token responses %d (%s grant) and %d (%s grant) carry the same %s: two authorizations share one token, so neither can be told apart, revoked or expire on its own, and either holder knows the other's token (RFC 6749 §1.4, §10.10)",
		j+1, a.grant, i+1, b.grant, kind)
}
