package reference

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// dialect is one vendor's wire format: how it authenticates clients, what its
// tokens contain and look like, and how it writes errors. The grant logic itself
// (grant_*.go) is shared: one place per grant.
type dialect interface {
	name() string
	// authenticateClient checks the client credentials a token request carries
	// for grant (RFC 6749 §2.3, §3.2.1).
	authenticateClient(tr *tokenRequest, grant string) (*client, *oauthError)
	// mint issues an access token (and a refresh token when withRefresh) for
	// sess, registering whatever state the tokens need.
	mint(sess *session, withRefresh bool) (*tokens, error)
	// respond writes a successful token response (RFC 6749 §5.1 in the
	// dialect's shape).
	respond(w http.ResponseWriter, tr *tokenRequest, t *tokens)
	// writeError writes an error response in the dialect's format.
	writeError(w http.ResponseWriter, tr *tokenRequest, e *oauthError)
}

// userAuthenticator is implemented by dialects with a password grant.
type userAuthenticator interface {
	authenticateUser(username, password string) (userID string, e *oauthError)
}

// scopeChecker is implemented by dialects that validate requested scopes.
type scopeChecker interface {
	checkScope(cl *client, scope string) (granted string, e *oauthError)
}

// refreshKeyer is implemented by dialects whose refresh tokens are not their own
// store key (Ucommerce's JWT refresh tokens are keyed by their jti).
type refreshKeyer interface {
	refreshKey(token string) (string, *oauthError)
}

// refreshScopeIgnorer is implemented by dialects whose refresh grant documents
// no scope parameter (Ucommerce): a scope sent anyway is ignored and the new
// tokens keep the original grant's scope, which RFC 6749 §6 allows.
type refreshScopeIgnorer interface {
	ignoresRefreshScope()
}

// grantFunc handles one grant type at a dialect's token endpoint.
type grantFunc func(w http.ResponseWriter, tr *tokenRequest, d dialect)

// client is an authenticated (or, for public clients, identified) client.
type client struct {
	id     string
	public bool
	// unchecked: no client was identified (a no-client-auth defect let the
	// request through), so the code or refresh token is not compared with it.
	unchecked bool
}

// session is what a grant established: who the tokens are for. Refresh tokens
// and codes carry a copy.
type session struct {
	grant    string // the grant that started the session
	clientID string
	// publicClient: clientID is a public client (RFC 6749 §2.1), which
	// authenticates by nothing but its id.
	publicClient bool
	userID       string
	sessionID    string
	scope        string
	redirectURI  string
	fam          *family
	// fixed makes the tokens minted for the session a function of the
	// client, the user, the scope and the second (tokens-deterministic).
	fixed bool
}

// tokens is what a dialect minted for a session.
type tokens struct {
	sess      *session
	access    string
	accessExp time.Time // when the access token really expires
	expiresIn int64     // what the response says
	refresh   string
}

// family groups the tokens that descend from one authorization (a code and its
// refresh chain) so that a replay can revoke them all (RFC 6749 §4.1.2, RFC 9700
// §4.14.2). Safe for concurrent use.
type family struct {
	mu      sync.Mutex
	revoked bool
	access  []familyToken
}

type familyToken struct {
	jti string
	exp time.Time
}

func (f *family) isRevoked() bool {
	if f == nil {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.revoked
}

// addAccess records an access token issued in the family; if the family was
// revoked meanwhile the token is revoked at once.
func (s *Server) addAccess(f *family, jti string, exp time.Time) {
	if f == nil {
		return
	}
	f.mu.Lock()
	f.access = append(f.access, familyToken{jti, exp})
	revoked := f.revoked
	f.mu.Unlock()
	if revoked {
		s.revoked.put(jti, revokedEntry{exp}, s.now())
	}
}

// revokeFamily revokes every access token of f; its refresh tokens check
// isRevoked when used.
func (s *Server) revokeFamily(f *family) {
	if f == nil {
		return
	}
	f.mu.Lock()
	f.revoked = true
	toks := append([]familyToken(nil), f.access...)
	f.mu.Unlock()
	now := s.now()
	for _, t := range toks {
		s.revoked.put(t.jti, revokedEntry{t.exp}, now)
		s.opaque.take(t.jti)
	}
}

// revokedEntry marks a revoked JWT id until the token would have expired anyway.
type revokedEntry struct{ exp time.Time }

func (e revokedEntry) expiry() time.Time { return e.exp }

// isRevoked reports whether the access token with id jti was revoked.
func (s *Server) isRevoked(jti string) bool {
	if s.has(BearerAcceptsRevoked) {
		return false
	}
	_, ok := s.revoked.get(jti)
	return ok
}

// opaqueEntry is an opaque access token's state (Elastic Path): only what
// its bearer's API calls check, so that a million of them stay small.
type opaqueEntry struct {
	grant string // the grant it was issued by (implicit tokens are read-only)
	exp   time.Time
}

func (e *opaqueEntry) expiry() time.Time { return e.exp }

// withRefreshFor says whether grant should come with a refresh token.
func (s *Server) withRefreshFor(grant string) bool {
	switch grant {
	case "password", "authorization_code":
		return !s.has(MissingRefreshToken)
	case "refresh_token":
		return true
	case "client_credentials":
		return s.has(RefreshInCC)
	case "implicit":
		return s.has(ImplicitRefresh)
	}
	return false
}

// mintAndRespond mints tokens for sess, obtained with grant, and writes them.
func (s *Server) mintAndRespond(w http.ResponseWriter, tr *tokenRequest, d dialect, sess *session, grant string) {
	s.mintThenRespond(w, tr, d, sess, grant, nil)
}

// mintThenRespond is mintAndRespond that runs after, if not nil, once the
// response is written: the non-atomic store defects consume the code or
// refresh token there, as a server with a deferred delete does.
func (s *Server) mintThenRespond(w http.ResponseWriter, tr *tokenRequest, d dialect, sess *session, grant string, after func()) {
	if after != nil {
		defer after()
	}
	sess = s.fixedUnder(sess)
	t, err := d.mint(sess, s.withRefreshFor(grant))
	if err != nil {
		d.writeError(w, tr, &oauthError{code: "server_error", desc: err.Error(), status: http.StatusInternalServerError})
		return
	}
	d.respond(w, tr, t)
}

// fixedUnder returns sess, or under tokens-deterministic a copy whose tokens
// are a function of the client, the user, the scope and the second.
func (s *Server) fixedUnder(sess *session) *session {
	if !s.has(TokensDeterministic) {
		return sess
	}
	fixed := *sess
	fixed.fixed = true
	return &fixed
}

// authenticateFor authenticates the client of a token request for grant
// (RFC 6749 §3.2.1: a confidential client authenticates on every token
// request, whatever the grant). Under lax, the grant's no-client-auth defect,
// a failed client authentication (invalid_client) is let through: the client
// is taken by the client_id it names, or, naming none, is the one the code or
// refresh token was issued to (client.unchecked).
func (s *Server) authenticateFor(tr *tokenRequest, d dialect, grant string, lax Defect) (*client, *oauthError) {
	cl, e := d.authenticateClient(tr, grant)
	if e == nil || e.code != "invalid_client" || !s.has(lax) {
		return cl, e
	}
	id := tr.params["client_id"]
	if id == "" && tr.basic {
		id = tr.basicID
	}
	return &client{id: id, unchecked: id == ""}, nil
}

// tokenID returns n bytes, hex-encoded, for a token or token id of kind
// ("access", "refresh") minted for sess at now: random (RFC 6749 §10.10),
// except under tokens-deterministic, where they are a hash of the client, the
// user, the scope and the second, so tokens minted for them within one
// second are identical.
func tokenID(sess *session, now time.Time, n int, kind string) string {
	if !sess.fixed {
		return randHex(n)
	}
	var out []byte
	for i := 0; len(out) < n; i++ {
		sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%s\x00%s\x00%s\x00%d\x00%d", kind, sess.clientID, sess.userID, sess.scope, now.Unix(), i))
		out = append(out, sum[:]...)
	}
	return hex.EncodeToString(out[:n])
}
