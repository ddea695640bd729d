package reference

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// rfc6749 is a strict, standards-only dialect for the generic profile: RFC 6749
// (authorization code with RFC 7636 PKCE, implicit, password, client
// credentials, refresh with rotation and replay detection), RFC 6750 bearer
// usage, RFC 7009 revocation and RFC 7662 introspection, with RFC 6749 §5.2
// error bodies.
type rfc6749 struct {
	s       *Server
	cfg     RFC6749Config
	clients map[string]*RFCClient
	users   map[string]string
	scopes  map[string]bool
	signer  jwtSigner  // HS256 with signing_key, or keys
	keys    *keySet    // WithSigningAlg's key pairs, nil for HS256
	login   *loginFlow // WithLogin's sign-in and consent pages, nil without
	iss     string     // the access tokens' iss claim
}

func newRFC6749(s *Server, cfg RFC6749Config) *rfc6749 {
	d := &rfc6749{s: s, cfg: cfg, clients: map[string]*RFCClient{}, users: map[string]string{}, scopes: map[string]bool{}, signer: newHS256(cfg.SigningKey), iss: "oauthconf-reference"}
	for i := range cfg.Clients {
		d.clients[cfg.Clients[i].ClientID] = &cfg.Clients[i]
	}
	for _, u := range cfg.Users {
		d.users[u.Username] = u.Password
	}
	for _, sc := range cfg.Scopes {
		d.scopes[sc] = true
	}
	return d
}

func (d *rfc6749) name() string { return "rfc6749" }

// setup applies the login and signing modes of o.
func (d *rfc6749) setup(o options) error {
	if d.cfg.Issuer != "" {
		d.iss = d.cfg.Issuer
	}
	if o.signingAlg != "" {
		ks, err := newKeySet(o.signingAlg, o.defects.has(KidUnpublished))
		if err != nil {
			return err
		}
		d.keys, d.signer = ks, ks
	}
	if o.login != LoginNone {
		d.login = newLoginFlow(d, o.login, o.maxEntries)
	}
	return nil
}

func (d *rfc6749) loginMode() LoginMode {
	if d.login == nil {
		return LoginNone
	}
	return d.login.mode
}

// endpoints lists the dialect's endpoints for the server's index.
func (d *rfc6749) endpoints() []string {
	e := []string{"GET /.well-known/oauth-authorization-server", "GET /oauth2/authorize", "POST /oauth2/token", "POST /oauth2/revoke", "POST /oauth2/introspect", "GET /oauth2/resource"}
	if d.keys != nil {
		e = append(e, "GET /oauth2/jwks")
	}
	if d.login != nil {
		e = append(e, "GET /oauth2/interaction/{uid}", "POST /oauth2/interaction/{uid}/login", "POST /oauth2/interaction/{uid}/consent")
	}
	return e
}

func (d *rfc6749) routes(mux *http.ServeMux) {
	mux.HandleFunc("/oauth2/authorize", d.authorize)
	mux.HandleFunc("/oauth2/token", d.s.tokenEndpoint(d, bodyRules{}, map[string]grantFunc{
		"authorization_code": d.s.grantAuthorizationCode,
		"refresh_token":      d.s.grantRefreshToken,
		"client_credentials": d.s.grantClientCredentials,
		"password":           d.s.grantPassword,
	}))
	mux.HandleFunc("/oauth2/revoke", d.revoke)
	mux.HandleFunc("/oauth2/introspect", d.introspect)
	mux.HandleFunc("/oauth2/resource", d.resource)
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", d.metadata)
	if d.keys != nil {
		mux.HandleFunc("GET /oauth2/jwks", d.handleJWKS)
		if d.s.testClock != nil {
			mux.HandleFunc("POST /_test/keys/rotate", d.handleRotateKeys)
		}
	}
	if d.login != nil {
		d.login.routes(mux)
	}
}

func (c *RFCClient) allows(grant string) bool {
	for _, g := range c.Grants {
		if g == grant {
			return true
		}
	}
	return false
}

// authenticateClient implements RFC 6749 §2.3: client_secret_basic or
// client_secret_post (never both, never in the query), public clients by
// client_id alone; the client must be registered for grant (§5.2
// unauthorized_client).
func (d *rfc6749) authenticateClient(tr *tokenRequest, grant string) (*client, *oauthError) {
	if (tr.query.Get("client_secret") != "" || tr.query.Get("client_id") != "") && !d.s.has(SecretInQuery) {
		return nil, errInvalidRequest("client credentials must not be sent in the request URI (RFC 6749 §2.3.1)", "client_secret")
	}
	id, secret := tr.params["client_id"], tr.params["client_secret"]
	basic := tr.basic && !d.s.has(NoBasicAuth)
	switch {
	case basic && secret != "":
		return nil, errInvalidRequest("use only one client authentication method (RFC 6749 §2.3)", "client_secret")
	case basic:
		if id != "" && id != tr.basicID {
			return nil, errInvalidRequest("client_id does not match the Authorization header", "client_id")
		}
		id, secret = tr.basicID, tr.basicPass
	case tr.basic: // no-basic-auth defect: the header is ignored
	case id == "" && d.s.has(SecretInQuery):
		id, secret = tr.query.Get("client_id"), tr.query.Get("client_secret")
	}
	if id == "" {
		return nil, errInvalidClient("client authentication is required")
	}
	c, ok := d.clients[id]
	if !ok {
		return nil, errInvalidClient("unknown client")
	}
	if c.ClientSecret == "" {
		if secret != "" {
			return nil, errInvalidClient("public clients have no secret")
		}
	} else if !secretEqual(secret, c.ClientSecret) && !d.s.has(ClientAuthSkipped) {
		return nil, errInvalidClient("client authentication failed")
	}
	if grant != "" && !c.allows(grant) {
		return nil, &oauthError{code: "unauthorized_client", desc: "the client may not use grant " + grant}
	}
	return &client{id: id, public: c.ClientSecret == ""}, nil
}

func (d *rfc6749) authenticateUser(username, password string) (string, *oauthError) {
	want, ok := d.users[username]
	if !ok || (!secretEqual(password, want) && !d.s.has(PasswordAny)) {
		return "", errInvalidGrant("invalid resource owner credentials")
	}
	return username, nil
}

// checkScope grants the requested scopes if all are known (RFC 6749 §3.3), or
// the first configured scope when none is requested.
func (d *rfc6749) checkScope(_ *client, scope string) (string, *oauthError) {
	if strings.TrimSpace(scope) == "" {
		if len(d.cfg.Scopes) > 0 {
			return d.cfg.Scopes[0], nil
		}
		return "", nil
	}
	for _, sc := range strings.Fields(scope) {
		if !d.scopes[sc] {
			return "", &oauthError{code: "invalid_scope", desc: "unknown scope " + sc, param: "scope"}
		}
	}
	return strings.Join(strings.Fields(scope), " "), nil
}

// authzRequest is a validated authorization request (RFC 6749 §4.1.1, §4.2.1).
type authzRequest struct {
	q         url.Values
	client    *RFCClient
	redirect  string // where the answer goes
	bound     string // the redirect_uri sent, which the code is bound to ("" when omitted)
	state     string
	grant     string // authorization_code or implicit
	scope     string
	challenge string // RFC 7636 code_challenge, "" without PKCE
}

// authorize is the authorization endpoint (RFC 6749 §3.1, §4.1.1, §4.2.1).
// Without a login flow the demo resource owner is taken as logged in and
// consenting, unless username and password are given (and wrong); with one
// (WithLogin) the resource owner signs in and consents on HTML pages first.
func (d *rfc6749) authorize(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		methodNotAllowed(w, "GET")
		return
	}
	ar, ok := d.parseAuthorize(w, r)
	if !ok {
		return
	}
	var user string
	if d.login != nil {
		if user, ok = d.login.resourceOwner(w, r, ar); !ok {
			return
		}
	} else {
		user = d.cfg.Users[0].Username
		if u := ar.q.Get("username"); u != "" {
			var e *oauthError
			if user, e = d.authenticateUser(u, ar.q.Get("password")); e != nil {
				d.s.redirectError(w, r, ar.redirect, "access_denied", "the resource owner could not be authenticated", ar.state)
				return
			}
		}
	}
	d.grantAuthorization(w, r, ar, user)
}

// parseAuthorize validates an authorization request before anything is shown
// to the resource owner. ok is false when an error was written: not redirected
// for a bad client_id or redirect_uri (§4.1.2.1), redirected otherwise.
func (d *rfc6749) parseAuthorize(w http.ResponseWriter, r *http.Request) (ar *authzRequest, ok bool) {
	q := r.URL.Query()
	c := d.clients[q.Get("client_id")]
	if c == nil {
		d.writeError(w, &tokenRequest{r: r}, &oauthError{code: "invalid_request", desc: "unknown client_id", param: "client_id"})
		return nil, false
	}
	ar = &authzRequest{q: q, client: c, redirect: q.Get("redirect_uri"), bound: q.Get("redirect_uri"), state: q.Get("state")}
	if ar.redirect == "" && len(c.RedirectURIs) == 1 && !d.s.has(RedirectURIRequired) {
		ar.redirect = c.RedirectURIs[0] // §3.1.2.3: optional when only one is registered
	}
	if !d.s.redirectAllowed(c.RedirectURIs, ar.redirect) {
		if d.s.has(RedirectCheck500) {
			http.Error(w, "internal error", http.StatusInternalServerError) // the defect: a crash instead of a refusal
			return nil, false
		}
		if d.s.has(RedirectOnBadURI) && ar.redirect != "" {
			d.s.redirectError(w, r, ar.redirect, "invalid_request", "redirect_uri is not registered", ar.state)
			return nil, false
		}
		d.writeError(w, &tokenRequest{r: r}, errInvalidRequest("redirect_uri is missing or not registered for this client", "redirect_uri"))
		return nil, false
	}
	fail := func(code, desc string) (*authzRequest, bool) {
		d.s.redirectError(w, r, ar.redirect, code, desc, ar.state)
		return nil, false
	}
	for k, v := range q {
		if len(v) > 1 && !d.s.has(DuplicateParams) {
			return fail("invalid_request", "parameter "+k+" is repeated")
		}
	}
	rt := q.Get("response_type")
	if ar.grant = map[string]string{"code": "authorization_code", "token": "implicit"}[rt]; ar.grant == "" {
		return fail("unsupported_response_type", "response_type must be code or token")
	}
	if !c.allows(ar.grant) {
		return fail("unauthorized_client", "the client may not use response_type "+rt)
	}
	scope, e := d.checkScope(nil, q.Get("scope"))
	if e != nil {
		return fail("invalid_scope", e.desc)
	}
	ar.scope = scope
	if ar.grant == "implicit" {
		return ar, true
	}
	challenge, method := q.Get("code_challenge"), q.Get("code_challenge_method")
	switch {
	case challenge == "" && method != "":
		return fail("invalid_request", "code_challenge_method without code_challenge")
	case challenge == "" && (c.ClientSecret == "" || d.cfg.RequirePKCE && !d.s.has(PKCERequiredNotEnforced)):
		return fail("invalid_request", "PKCE code_challenge is required")
	case challenge != "" && method != "S256" && !d.s.has(PKCEPlainAccepted):
		// RFC 7636 §4.4.1; plain (the default) is not supported (RFC 9700 §2.1.1).
		return fail("invalid_request", "code_challenge_method must be S256")
	}
	ar.challenge = challenge
	return ar, true
}

// grantAuthorization answers a validated request the resource owner user
// authorized: the code (§4.1.2) or, for the implicit grant, the token (§4.2.2).
func (d *rfc6749) grantAuthorization(w http.ResponseWriter, r *http.Request, ar *authzRequest, user string) {
	sess := session{grant: ar.grant, clientID: ar.client.ClientID, publicClient: ar.client.ClientSecret == "", userID: user, sessionID: uuid4(), scope: ar.scope, redirectURI: ar.bound}
	if ar.grant == "implicit" {
		d.s.implicitRedirect(w, r, d, &sess, ar.redirect, ar.state)
		return
	}
	code := d.s.issueCode(d, sess, d.cfg.CodeTTL.Duration, ar.challenge, func() string { return randHex(32) })
	v := url.Values{}
	v.Set("code", code)
	if ar.state != "" && !d.s.has(StateNotEchoed) {
		v.Set("state", ar.state)
	}
	w.Header().Set("Location", ar.redirect+querySep(ar.redirect)+v.Encode())
	w.WriteHeader(http.StatusFound)
}

func (d *rfc6749) mint(sess *session, withRefresh bool) (*tokens, error) {
	now := d.s.now()
	if sess.fixed {
		now = now.Truncate(time.Second)
	}
	said, real := d.s.lifetimes(d.cfg.AccessTTL.Duration)
	exp := now.Add(real)
	jti := tokenID(sess, now, 16, "access")
	sub := sess.userID
	if sub == "" {
		sub = sess.clientID
	}
	// rfcAccessClaims, encoded by hand: this is the benchmarked hot path.
	c := make(jsonw, 1, 256)
	c[0] = '{'
	if !d.s.has(JWTClaimsMissing) {
		c = c.str("iss", d.iss).str("sub", sub).str("client_id", sess.clientID)
		if sess.scope != "" {
			c = c.str("scope", sess.scope)
		}
	}
	c = c.str("jti", jti)
	if !d.s.has(JWTClaimsMissing) {
		c = c.num("iat", now.Unix()).num("nbf", now.Unix())
	}
	access, err := d.signer.signJWT(c.num("exp", exp.Unix()).close())
	if err != nil {
		return nil, err
	}
	d.s.addAccess(sess.fam, jti, exp)
	t := &tokens{sess: sess, access: access, accessExp: exp, expiresIn: said}
	if withRefresh {
		t.refresh = tokenID(sess, now, 32, "refresh")
		d.s.storeRefresh(d, t.refresh, sess, now.Add(d.cfg.RefreshTTL.Duration))
	}
	return t, nil
}

func (d *rfc6749) respond(w http.ResponseWriter, _ *tokenRequest, t *tokens) {
	// rfcTokenBody, encoded by hand: this is the benchmarked hot path.
	b := make(jsonw, 1, len(t.access)+160)
	b[0] = '{'
	b = b.str("access_token", t.access).str("token_type", d.s.tokenType("Bearer"))
	if d.s.has(ExpiresInString) {
		b = b.str("expires_in", strconv.FormatInt(t.expiresIn, 10))
	} else {
		b = b.num("expires_in", t.expiresIn)
	}
	if t.refresh != "" {
		b = b.str("refresh_token", t.refresh)
	}
	if t.sess.scope != "" {
		b = b.str("scope", t.sess.scope)
	}
	d.s.writeTokenBytes(w, http.StatusOK, b.close())
}

// rfcError is RFC 6749 §5.2's error body.
type rfcError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// writeError writes RFC 6749 §5.2: 400, or 401 with WWW-Authenticate for
// invalid_client when the client authenticated with the Authorization header.
func (d *rfc6749) writeError(w http.ResponseWriter, tr *tokenRequest, e *oauthError) {
	status := d.s.errorStatus(e, http.StatusBadRequest)
	if e.code == "invalid_client" && status == http.StatusUnauthorized {
		switch {
		case !tr.hasAuthHeader:
			status = http.StatusBadRequest
		case d.s.has(NoBasicChallenge):
			status = http.StatusBadRequest
		default:
			w.Header().Set("WWW-Authenticate", `Basic realm="oauthconf"`)
		}
	}
	if d.s.has(ErrorFormatWrong) {
		writePlainError(w, status, e)
		return
	}
	d.s.setNoStore(w)
	writeJSON(w, status, rfcError{Error: d.s.errorCode(e.code), Description: descCharset(e.desc)})
}

// descCharset keeps error_description within RFC 6749 §5.2's character set
// (%x20-21 / %x23-5B / %x5D-7E): quotes and backslashes become apostrophes and
// slashes, "§" becomes "section ", anything else outside the set is dropped.
func descCharset(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteByte('\'')
		case r == '\\':
			b.WriteByte('/')
		case r == '§':
			b.WriteString("section ")
		case r == 0x20 || r == 0x21 || (r >= 0x23 && r <= 0x5B) || (r >= 0x5D && r <= 0x7E):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// revoke is the RFC 7009 revocation endpoint: the client authenticates; a token
// it owns stops working (a refresh token takes its family's access tokens
// with it); unknown tokens are answered 200 too (§2.2).
func (d *rfc6749) revoke(w http.ResponseWriter, r *http.Request) {
	auth := !d.s.has(RevocationNoClientAuth)
	tr, _, tok, ok := d.tokenQuery(w, r, auth, d.writeError)
	if !ok {
		return
	}
	clientID := tr.basicID
	if clientID == "" {
		clientID = tr.params["client_id"]
	}
	// owns says whether the requester may revoke a token of client owner; the
	// revocation-no-client-auth defect lets anyone who names no client revoke.
	owns := func(owner string) bool {
		return owner == clientID || (!auth && clientID == "") || d.s.has(RevocationNotBoundClient)
	}
	if d.s.has(RevokeNotHonoured) {
		w.WriteHeader(http.StatusOK)
		return
	}
	if ent, ok := d.s.refresh.get(d.name() + "\x00" + tok); ok {
		if !owns(ent.sess.clientID) {
			d.writeError(w, tr, &oauthError{code: "unauthorized_client", desc: "the token was issued to another client"})
			return
		}
		d.s.revokeFamily(ent.sess.fam)
		d.s.refresh.take(d.name() + "\x00" + tok)
		w.WriteHeader(http.StatusOK)
		return
	}
	var c bearerClaims
	if err := d.signer.verify(tok, &c); err == nil && c.Jti != "" {
		if !owns(c.ClientID) {
			d.writeError(w, tr, &oauthError{code: "unauthorized_client", desc: "the token was issued to another client"})
			return
		}
		exp, _ := c.Exp.Int64()
		d.s.revoked.put(c.Jti, revokedEntry{exp: unixTime(exp)}, d.s.now())
	} else if d.s.has(RevocationUnknownTokenError) {
		d.writeError(w, tr, &oauthError{code: "invalid_request", desc: "unknown token"})
		return
	}
	w.WriteHeader(http.StatusOK)
}

// tokenQuery reads a request about a token (RFC 7009 §2.1, RFC 7662 §2.1):
// POST, the client authenticated when auth is set (failures written by
// authErr), and a token parameter. ok is false when an answer was written.
func (d *rfc6749) tokenQuery(w http.ResponseWriter, r *http.Request, auth bool, authErr func(http.ResponseWriter, *tokenRequest, *oauthError)) (tr *tokenRequest, cl *client, tok string, ok bool) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w, "POST")
		return nil, nil, "", false
	}
	tr, e := d.s.readTokenRequest(w, r, bodyRules{})
	if e != nil {
		d.writeError(w, tr, e)
		return nil, nil, "", false
	}
	if auth {
		if cl, e = d.authenticateClient(tr, ""); e != nil {
			authErr(w, tr, e)
			return nil, nil, "", false
		}
	}
	if tok = tr.params["token"]; tok == "" {
		d.writeError(w, tr, errMissing("token"))
		return nil, nil, "", false
	}
	return tr, cl, tok, true
}

// resource is a protected resource speaking RFC 6750: 401 with a Bearer
// challenge (no error code when no token was sent, §3), invalid_token otherwise.
func (d *rfc6749) resource(w http.ResponseWriter, r *http.Request) {
	c, e := d.s.checkJWTBearer(r, resourceVerifier{d}, nil)
	if e != nil {
		if !d.s.has(BearerNoChallenge) && e.status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", bearerChallenge("oauthconf", e))
		}
		if e.code == "" {
			w.WriteHeader(e.status)
			return
		}
		writeJSON(w, e.status, rfcError{Error: e.code, Description: e.desc})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"sub": c.Sub, "client_id": c.ClientID, "message": "hello from a protected resource"})
}
