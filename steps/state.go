package steps

import (
	"context"

	"github.com/oauthconf/oauthconf/profile"
)

// target is what every scenario of one run shares: immutable after the run
// starts, so safe under godog's concurrency.
type target struct {
	opts   Options
	p      *profile.Profile
	creds  profile.Credentials
	client *httpClient
	rec    *recorder
	keys   *jwksCache // the JWK Sets fetched (jwks.go)
	// budget bounds the transcripts of the whole run (shared by its profiles).
	budget *transcriptBudget
}

// scenarioKey is the private context key of a scenario's state.
type scenarioKey struct{}

// scenario is the state of one running scenario. godog runs the steps of a
// scenario one after another, so it needs no lock; it lives in the scenario's
// context.Context, never in package state.
type scenario struct {
	t      *target
	record *ScenarioResult
	skip   string // reason to skip every step, decided before the first one
	step   string // the text of the step running (its guard: guardReason)

	red       redactor
	exchanges []*Exchange
	trTaken   int       // bytes of s.t.budget this scenario's transcript holds
	last      *Exchange // the response the Then steps look at

	tok   tokenState
	code  codeState
	intro introspectionState
	race  *raceResult // the judged round of the last race (race.go)

	meta *metadataDoc // the target's RFC 8414 metadata, once fetched (discover.go)

	// userTokens are the Elastic Path user tokens held, by kind ("customer", "account").
	userTokens map[string]string
}

// tokenState is what the token endpoint gave the scenario.
type tokenState struct {
	current    *tokenResponse   // the last successful token response
	all        []*tokenResponse // every successful token response, in order
	grant      string           // the grant of current
	access     string
	refresh    string
	oldRefresh string // the refresh token a rotation replaced
	// presented is the refresh token each refresh response of the
	// uniqueness check was sent (unique.go).
	presented map[*tokenResponse]string
	sent      string // the grant of the last token request sent
}

// codeState is the authorization code flow's state (RFC 6749 §4.1).
type codeState struct {
	auth     *Exchange   // the last authorization response (the last hop of its interaction)
	answer   *authAnswer // what the last authorization request came to
	login    loginOpts   // how the next interaction goes
	raw      string      // the code as it appears in Location
	value    string      // the code, decoded once
	redirect string      // the redirect URI the code was issued for
	client   clientCreds
	verifier string // the PKCE verifier of the code's challenge
	state    string
}

// introspectionState is the token the negative introspection checks ask
// about (RFC 7662), and the kind of token the last introspection asked about.
type introspectionState struct {
	probe, kind string
	lastKind    string
}

// fromCtx returns the scenario state of ctx.
func fromCtx(ctx context.Context) *scenario {
	s, _ := ctx.Value(scenarioKey{}).(*scenario)
	return s
}

// send performs one exchange and records it in the scenario's transcript.
func (s *scenario) send(ctx context.Context, method, path string, h map[string][]string, body []byte) (*Exchange, error) {
	ex, err := s.t.client.do(ctx, method, path, h, body)
	s.exchanges = append(s.exchanges, ex)
	return ex, err
}

// transcript renders the scenario's exchanges with secrets redacted, within
// the scenario's and the run's bounds (boundTranscript).
func (s *scenario) transcript() string {
	return boundTranscript(transcript(&s.red, s.exchanges), s.t.budget, &s.trTaken)
}
