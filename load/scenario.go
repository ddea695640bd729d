// Package load stresses OAuth 2.0 token endpoints with vegeta
// (github.com/tsenart/vegeta/v12/lib): one scenario per grant of a profile,
// requests built from the profile (paths, body encoding, client
// authentication), every response validated as a token response of that
// profile, results written in vegeta's own format.
//
// Multi-step grants need the responses of earlier requests: a refresh chain
// feeds each response's new refresh token into the next request, and the
// authorization-code flow exchanges the code a connect request received. vegeta's
// Targeter never sees responses, so the attack runs through a wrapping
// http.RoundTripper (flowTransport) that reads them as they arrive and puts
// codes and refresh tokens into bounded pools the targeter draws from. The
// transport also tags every response with its step (a private request header
// it removes before sending), so that results can be told apart. Single-step
// scenarios (client_credentials, password, implicit, customer_token) need none
// of this and go straight through the *http.Transport, which also spares them
// the per-request timer goroutine net/http's Client adds for any other
// RoundTripper. The alternative, a dedicated attack loop, would have had to
// re-implement vegeta's worker pool; this keeps vegeta's Attacker, pacers,
// Metrics and Encoder as they are.
//
// All traffic goes to Options.BaseURL, or to the profile's endpoints that are
// absolute URLs on another origin (RemoteEndpoints lists those off loopback);
// every run is bounded by duration and by request count.
package load

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oauthconf/oauthconf/profile"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Scenario names, one per grant, plus the mixed scenario.
const (
	ClientCredentials = "client_credentials"
	Password          = "password"
	Implicit          = "implicit"
	CustomerToken     = "customer_token"
	RefreshToken      = "refresh_token"
	AuthorizationCode = "authorization_code"
	Mix               = "mix"
)

// mixAliases are the short names a --mix expression may use.
var mixAliases = map[string]string{
	"cc": ClientCredentials, "password": Password, "implicit": Implicit, "customer": CustomerToken,
	"refresh": RefreshToken, "code": AuthorizationCode,
}

// Scenarios lists the scenarios profile p supports.
func Scenarios(p *profile.Profile) []string {
	var out []string
	for _, s := range []string{ClientCredentials, Password, Implicit, RefreshToken, AuthorizationCode} {
		if p.Supports(s) {
			out = append(out, s)
		}
	}
	if p.Supports(Implicit) && p.UserTokens.Customer != nil {
		out = append(out, CustomerToken)
	}
	return out
}

// Private headers between the targeter and flowTransport; never sent.
const (
	stepHeader = "X-Oauthconf-Step"
	flowHeader = "X-Oauthconf-Flow" // connect start, unix ns
)

// Steps of a scenario, as they appear after "<scenario>/" in Result.Attack.
const (
	stepToken    = "token"
	stepConnect  = "connect"
	stepExchange = "exchange"
	stepSeed     = "seed"
)

// code is an authorization code waiting to be exchanged.
type code struct {
	value   string
	started time.Time // when its connect request was sent
}

// pools carries codes and refresh tokens from responses to later requests.
// Both are bounded; what does not fit is dropped (it only costs a new seed).
type pools struct {
	codes   chan code
	refresh chan string
}

func newPools(n int) *pools {
	return &pools{codes: make(chan code, n), refresh: make(chan string, n)}
}

func (p *pools) putCode(c code) {
	select {
	case p.codes <- c:
	default:
	}
}

func (p *pools) putRefresh(t string) {
	select {
	case p.refresh <- t:
	default:
	}
}

// flowTransport wraps the attack's transport: it strips the private headers,
// feeds pools from responses and records end-to-end code-flow latency. Its
// base bounds time and bodies (httpx.Bounded, in Run).
type flowTransport struct {
	base  http.RoundTripper
	pools *pools
	flows *latencies // end-to-end connect → token
}

// RoundTrip implements http.RoundTripper. Safe for concurrent use.
func (t *flowTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	step := req.Header.Get(stepHeader)
	flow := req.Header.Get(flowHeader)
	if step == "" && flow == "" {
		return t.base.RoundTrip(req) // single-step scenarios carry no private headers
	}
	// vegeta builds a fresh request (and header map) for every hit and never
	// reuses it, so the private headers are removed in place, without a clone.
	delete(req.Header, stepHeader)
	delete(req.Header, flowHeader)
	sent := time.Now()
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	if step == "" {
		return resp, nil
	}
	resp.Header.Set(stepHeader, step)
	base := step[strings.LastIndexByte(step, '.')+1:]
	switch {
	case strings.HasSuffix(base, stepConnect):
		if c := codeFromLocation(resp.Header.Get("Location")); c != "" {
			t.pools.putCode(code{value: c, started: sent})
		}
	case resp.StatusCode == http.StatusOK:
		// Bounded below (httpx.Bounded): a larger body ends in rerr, which
		// the replayed body hands on to vegeta, which counts it.
		body, rerr := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
		resp.Body.Close()
		resp.Body = replay(body, rerr)
		if rerr != nil {
			return resp, nil
		}
		var tok struct {
			RefreshToken string `json:"refresh_token"`
		}
		if json.Unmarshal(body, &tok) == nil && tok.RefreshToken != "" {
			t.pools.putRefresh(tok.RefreshToken)
		}
		if flow != "" && strings.HasSuffix(base, stepExchange) {
			if ns, err := strconv.ParseInt(flow, 10, 64); err == nil {
				t.flows.add(time.Since(time.Unix(0, ns)))
			}
		}
	}
	return resp, nil
}

// replay returns a body that yields b, then err (if any) instead of EOF.
func replay(b []byte, err error) io.ReadCloser {
	if err == nil {
		return io.NopCloser(bytes.NewReader(b))
	}
	return io.NopCloser(io.MultiReader(bytes.NewReader(b), errReader{err}))
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// maxBody bounds every response body the harness reads.
const maxBody = 1 << 20

// codeFromLocation returns the code of a redirect Location, URL-decoded once
// (the Ucommerce rule: the code arrives URL-encoded).
func codeFromLocation(loc string) string {
	u, err := url.Parse(loc)
	if err != nil {
		return ""
	}
	return u.Query().Get("code")
}

// target is a prepared request of one step.
type target struct {
	step   string
	method string
	url    string
	header http.Header
	body   []byte
}

// fill sets tgt to t. The header map is shared, not copied: vegeta copies it
// into each request it builds (Target.Request), and nothing writes to it.
func (t target) fill(tgt *vegeta.Target) {
	tgt.Method, tgt.URL, tgt.Body, tgt.Header = t.method, t.url, t.body, t.header
}

// tagged returns t with its step in the private header, for scenarios whose
// results must be told apart.
func (t target) tagged() target {
	h := t.header.Clone()
	h.Set(stepHeader, t.step)
	t.header = h
	return t
}

// builder makes the targeter of one scenario.
type builder struct {
	base  string
	prof  *profile.Profile
	creds profile.Credentials
	pools *pools
	// implicitToken is fetched before an attack that needs one (customer tokens).
	implicitToken string
	// tagSteps marks every request with its step; single-step scenarios skip it.
	tagSteps bool
	// verifier is the run's one PKCE code verifier, sent with every code
	// exchange when the profile requires PKCE (authorize.pkce: required).
	verifier string
}

// newVerifier returns the run's PKCE code verifier when the profile requires
// PKCE of every client, else "" (RFC 7636 §4.1). One verifier serves the
// whole run: the load measures issuance, not PKCE's secrecy.
func newVerifier(p *profile.Profile) string {
	if p.Authorize == nil || p.Authorize.PKCE != profile.PKCERequired {
		return ""
	}
	raw := make([]byte, 32)
	_, _ = crand.Read(raw)
	return base64.RawURLEncoding.EncodeToString(raw)
}

// pkce returns the S256 code_challenge of the run's verifier (RFC 7636
// §4.2), if there is one.
func (b *builder) pkce() (challenge string, ok bool) {
	if b.verifier == "" {
		return "", false
	}
	sum := sha256.Sum256([]byte(b.verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:]), true
}

// codeExtra is the exchange's parameters besides the grant's own.
func (b *builder) codeExtra(code string) map[string]string {
	extra := map[string]string{"code": code}
	if b.verifier != "" {
		extra["code_verifier"] = b.verifier
	}
	return extra
}

func (b *builder) tokenTarget(prefix, step, grant string, extra map[string]string) (target, error) {
	tr, err := b.prof.NewTokenRequest(grant, b.creds, profile.WithParams(extra))
	if err != nil {
		return target{}, err
	}
	t := target{step: prefix + step, method: tr.Method, url: profile.JoinURL(b.base, tr.Path), header: tr.Header, body: tr.Body}
	if b.tagSteps {
		t = t.tagged()
	}
	return t, nil
}

func (b *builder) connectTarget(prefix string) (target, error) {
	if b.prof.Authorize == nil {
		return target{}, fmt.Errorf("profile %s has no authorize endpoint", b.prof.Name)
	}
	q := url.Values{"response_type": {"code"}}
	for _, name := range []string{"client_id", "redirect_uri"} {
		v, ok := b.creds.Get(name)
		if !ok {
			return target{}, fmt.Errorf("authorization_code needs credential %s", name)
		}
		q.Set(name, v)
	}
	for k, v := range b.prof.Authorize.Params {
		ev, err := b.creds.Expand(v)
		if err != nil {
			return target{}, fmt.Errorf("authorize.params.%s: %w", k, err)
		}
		q.Set(k, ev)
	}
	if c, ok := b.pkce(); ok {
		q.Set("code_challenge", c)
		q.Set("code_challenge_method", "S256")
	}
	return target{step: prefix + stepConnect, method: http.MethodGet, url: profile.JoinURL(b.base, b.prof.Authorize.Path) + "?" + q.Encode(), header: http.Header{}}.tagged(), nil
}

// implicitTarget is the RFC 6749 §4.2.1 authorization request of an
// implicit grant the profile sends to the authorization endpoint
// (response_type=token); the token comes back in the redirect's fragment
// (§4.2.2), which validate reads.
func (b *builder) implicitTarget(prefix string) (target, error) {
	if b.prof.Authorize == nil || b.prof.Authorize.Path == "" {
		return target{}, fmt.Errorf("profile %s sends the implicit grant to the authorization endpoint but has none", b.prof.Name)
	}
	q := url.Values{}
	for k, v := range b.prof.Authorize.Params {
		ev, err := b.creds.Expand(v)
		if err != nil {
			return target{}, fmt.Errorf("authorize.params.%s: %w", k, err)
		}
		q.Set(k, ev)
	}
	q.Set("response_type", "token")
	q.Set("state", "oauthconf-load")
	for _, name := range []string{"client_id", "redirect_uri"} {
		v, ok := b.creds.Get(name)
		if !ok {
			return target{}, fmt.Errorf("implicit needs credential %s", name)
		}
		q.Set(name, v)
	}
	t := target{step: prefix + stepToken, method: http.MethodGet, url: b.base + b.prof.Authorize.Path + "?" + q.Encode(), header: http.Header{"Accept": {"application/json"}}}
	if b.tagSteps {
		t = t.tagged()
	}
	return t, nil
}

// targeter returns a vegeta.Targeter for scenario (a component of a mix
// carries prefix "<component>."). Safe for concurrent use, as vegeta requires.
func (b *builder) targeter(scenario, prefix string) (vegeta.Targeter, error) {
	switch scenario {
	case ClientCredentials, Password, Implicit:
		t, err := b.tokenTarget(prefix, stepToken, scenario, nil)
		if scenario == Implicit && b.prof.ImplicitViaAuthorize() {
			t, err = b.implicitTarget(prefix)
		}
		if err != nil {
			return nil, err
		}
		return func(tgt *vegeta.Target) error { t.fill(tgt); return nil }, nil
	case CustomerToken:
		return b.customerTargeter(prefix)
	case AuthorizationCode:
		return b.codeTargeter(prefix, stepExchange)
	case RefreshToken:
		return b.refreshTargeter(prefix)
	}
	return nil, fmt.Errorf("unknown scenario %q", scenario)
}

func (b *builder) customerTargeter(prefix string) (vegeta.Targeter, error) {
	ut := b.prof.UserTokens.Customer
	if ut == nil {
		return nil, fmt.Errorf("customer_token needs user_tokens.customer (profile %s has none)", b.prof.Name)
	}
	if missing := ut.Missing(b.creds); len(missing) > 0 {
		return nil, fmt.Errorf("customer_token needs credentials %s", strings.Join(missing, ", "))
	}
	if b.implicitToken == "" {
		return nil, errors.New("customer_token needs an implicit token (none was obtained)")
	}
	body, err := ut.Body(b.creds, nil)
	if err != nil {
		return nil, fmt.Errorf("user_tokens.customer: %w", err)
	}
	h := http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer " + b.implicitToken}}
	t := target{step: prefix + stepToken, method: http.MethodPost, url: profile.JoinURL(b.base, ut.Path), header: h, body: body}
	if b.tagSteps {
		t = t.tagged()
	}
	return func(tgt *vegeta.Target) error { t.fill(tgt); return nil }, nil
}

// codeTargeter runs the authorization-code flow: exchange a pooled code when
// one is fresh, otherwise connect for a new one. Codes are fetched just in
// time: a code older than its lifetime minus a margin is dropped.
func (b *builder) codeTargeter(prefix, exchangeStep string) (vegeta.Targeter, error) {
	connect, err := b.connectTarget(prefix)
	if err != nil {
		return nil, err
	}
	if _, err := b.tokenTarget(prefix, exchangeStep, AuthorizationCode, b.codeExtra("probe")); err != nil {
		return nil, err
	}
	maxAge := 50 * time.Second
	if a := b.prof.Authorize; a != nil && a.CodeTTL.Duration > 10*time.Second {
		maxAge = a.CodeTTL.Duration - 10*time.Second
	}
	return func(tgt *vegeta.Target) error {
		for {
			select {
			case c := <-b.pools.codes:
				if time.Since(c.started) > maxAge {
					continue
				}
				t, err := b.tokenTarget(prefix, exchangeStep, AuthorizationCode, b.codeExtra(c.value))
				if err != nil {
					return err
				}
				t.fill(tgt)
				tgt.Header.Set(flowHeader, strconv.FormatInt(c.started.UnixNano(), 10)) // t.header is this hit's own
				return nil
			default:
				connect.fill(tgt)
				return nil
			}
		}
	}, nil
}

// refreshTargeter follows refresh chains: each response's new refresh token
// goes back into the pool (flowTransport) for the next request. When the pool
// is empty a seed request starts a new chain: the password grant where the
// profile has it, otherwise the authorization-code flow.
func (b *builder) refreshTargeter(prefix string) (vegeta.Targeter, error) {
	if _, err := b.tokenTarget(prefix, stepToken, RefreshToken, map[string]string{"refresh_token": "probe"}); err != nil {
		return nil, err
	}
	var seed vegeta.Targeter
	switch {
	case b.prof.Supports(Password):
		t, err := b.tokenTarget(prefix, stepSeed, Password, nil)
		if err != nil {
			return nil, err
		}
		seed = func(tgt *vegeta.Target) error { t.fill(tgt); return nil }
	case b.prof.Supports(AuthorizationCode):
		var err error
		if seed, err = b.codeTargeter(prefix+stepSeed+"-", stepExchange); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("profile %s has no grant that issues refresh tokens (password or authorization_code)", b.prof.Name)
	}
	return func(tgt *vegeta.Target) error {
		select {
		case rt := <-b.pools.refresh:
			t, err := b.tokenTarget(prefix, stepToken, RefreshToken, map[string]string{"refresh_token": rt})
			if err != nil {
				return err
			}
			t.fill(tgt)
			return nil
		default:
			return seed(tgt)
		}
	}, nil
}

// ParseMix reads "cc=70,refresh=20,code=10" into weights by scenario name.
func ParseMix(expr string) (map[string]int, error) {
	out := map[string]int{}
	for _, part := range strings.Split(expr, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, w, ok := strings.Cut(part, "=")
		n, err := strconv.Atoi(strings.TrimSpace(w))
		if !ok || err != nil || n <= 0 {
			return nil, fmt.Errorf("mix %q: want NAME=WEIGHT with a positive whole weight", part)
		}
		name = strings.TrimSpace(name)
		if full, ok := mixAliases[name]; ok {
			name = full
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("mix: %s given twice", name)
		}
		out[name] = n
	}
	if len(out) == 0 {
		return nil, errors.New("mix: empty (e.g. cc=70,refresh=20,code=10)")
	}
	return out, nil
}

// mixTargeter picks a component per request in proportion to its weight.
func (b *builder) mixTargeter(weights map[string]int) (vegeta.Targeter, error) {
	names := make([]string, 0, len(weights))
	for n := range weights {
		names = append(names, n)
	}
	sort.Strings(names)
	var (
		cum   []int
		trs   []vegeta.Targeter
		total int
	)
	short := map[string]string{}
	for a, full := range mixAliases {
		short[full] = a
	}
	for _, n := range names {
		if n != CustomerToken && !b.prof.Supports(n) {
			return nil, fmt.Errorf("mix: profile %s does not support %s", b.prof.Name, n)
		}
		prefix := short[n] + "."
		tr, err := b.targeter(n, prefix)
		if err != nil {
			return nil, fmt.Errorf("mix %s: %w", n, err)
		}
		total += weights[n]
		cum, trs = append(cum, total), append(trs, tr)
	}
	var seq atomic.Uint64
	perm := rand.Perm(total) // spread the components evenly over each cycle of total requests
	return func(tgt *vegeta.Target) error {
		k := perm[int(seq.Add(1)-1)%total]
		i := sort.SearchInts(cum, k+1)
		return trs[i](tgt)
	}, nil
}

// fetchImplicit gets one implicit token for scenarios that use it.
func (b *builder) fetchImplicit(ctx context.Context, client *http.Client) error {
	t, err := b.tokenTarget("", stepSeed, Implicit, nil)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, t.method, t.url, strings.NewReader(string(t.body)))
	if err != nil {
		return err
	}
	req.Header = t.header.Clone()
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("implicit token: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &tok) != nil || tok.AccessToken == "" {
		return fmt.Errorf("implicit token: HTTP %d, no access_token", resp.StatusCode)
	}
	b.implicitToken = tok.AccessToken
	return nil
}

// latencies collects durations for percentile reporting. Safe for concurrent use.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	if len(l.d) < 1<<20 {
		l.d = append(l.d, d)
	}
	l.mu.Unlock()
}

func (l *latencies) snapshot() []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]time.Duration(nil), l.d...)
}
