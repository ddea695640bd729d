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

	red       redactor
	exchanges []*Exchange
	last      *Exchange // the response the Then steps look at

	// token endpoint
	token      *tokenResponse
	tokens     []*tokenResponse
	grant      string
	access     string
	refresh    string
	oldRefresh string

	// authorization code flow
	auth         *Exchange
	rawCode      string // the code as it appears in Location
	code         string // decoded once
	codeRedirect string
	codeClient   clientCreds
	verifier     string
	noPKCE       bool // this authorization request goes without the challenge pkce: required adds
	state        string
	concurrent   []*Exchange

	// introspection: the token the negative checks ask about, and its kind
	probe, probeKind string
	lastIntrospected string // the kind of token the last introspection asked about

	// protected resources and Elastic Path user tokens
	userTokens map[string]string
}

// fromCtx returns the scenario state of ctx.
func fromCtx(ctx context.Context) *scenario {
	sc, _ := ctx.Value(scenarioKey{}).(*scenario)
	return sc
}

// send performs one exchange and records it in the scenario's transcript.
func (sc *scenario) send(ctx context.Context, method, path string, h map[string][]string, body []byte) (*Exchange, error) {
	ex, err := sc.t.client.do(ctx, method, path, h, body)
	sc.exchanges = append(sc.exchanges, ex)
	return ex, err
}

// transcript renders the scenario's exchanges with secrets redacted.
func (sc *scenario) transcript() string { return transcript(&sc.red, sc.exchanges) }
