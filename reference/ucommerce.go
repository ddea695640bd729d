package reference

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
)

// ucommerce is the Ucommerce Headless API dialect (docs/vendors.md §1):
// GET /api/v1/oauth/connect answers 302 with a URL-encoded code in Location;
// POST /api/v1/oauth/token takes HTTP Basic client credentials and exchanges
// codes and refresh tokens for HS256 JWTs with token_type "bearer".
type ucommerce struct {
	s      *Server
	cfg    UcommerceConfig
	stores map[string]*UcommerceStore
	jwt    *hs256
}

func newUcommerce(s *Server, cfg UcommerceConfig) *ucommerce {
	u := &ucommerce{s: s, cfg: cfg, stores: map[string]*UcommerceStore{}, jwt: newHS256(cfg.SigningKey)}
	for i := range cfg.Stores {
		u.stores[cfg.Stores[i].ClientID] = &cfg.Stores[i]
	}
	return u
}

// ignoresRefreshScope: Ucommerce's refresh request has no scope (docs/vendors.md §1).
func (u *ucommerce) ignoresRefreshScope() {}

func (u *ucommerce) name() string { return "ucommerce" }

func (u *ucommerce) routes(mux *http.ServeMux) {
	mux.HandleFunc("/api/v1/oauth/connect", u.connect)
	mux.HandleFunc("/api/v1/oauth/token", u.s.tokenEndpoint(u, bodyRules{json: true}, map[string]grantFunc{
		"authorization_code": u.s.grantAuthorizationCode,
		"refresh_token":      u.s.grantRefreshToken,
	}))
	mux.HandleFunc("/api/v1/price-groups", u.priceGroups)
}

// connect is the authorization request: the store's client and a whitelisted
// redirect URL (exact match, RFC 6749 §3.1.2.3) get a 302 carrying the code;
// anything else gets an error and no redirect (§4.1.2.1).
func (u *ucommerce) connect(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		u.writeError(w, &tokenRequest{r: r}, &oauthError{code: "invalid_request", desc: "use GET", status: http.StatusMethodNotAllowed})
		return
	}
	q := r.URL.Query()
	store := u.stores[q.Get("client_id")]
	if store == nil {
		u.writeError(w, &tokenRequest{r: r}, &oauthError{code: "invalid_client", desc: "unknown client_id", status: http.StatusBadRequest})
		return
	}
	redirect := q.Get("redirect_uri")
	if !u.s.redirectAllowed(store.RedirectURIs, redirect) {
		if u.s.has(RedirectCheck500) {
			http.Error(w, "internal error", http.StatusInternalServerError) // the defect: a crash instead of a refusal
			return
		}
		if u.s.has(RedirectOnBadURI) && redirect != "" {
			u.s.redirectError(w, r, redirect, "invalid_request", "redirect_uri is not whitelisted", q.Get("state"))
			return
		}
		u.writeError(w, &tokenRequest{r: r}, errInvalidRequest("redirect_uri is not on the store's URL whitelist", "redirect_uri"))
		return
	}
	state := q.Get("state")
	if rt := q.Get("response_type"); rt != "code" {
		u.s.redirectError(w, r, redirect, "unsupported_response_type", "response_type must be code", state)
		return
	}
	if sc := q.Get("scope"); sc != "" && sc != "transactions:custom:price" {
		u.s.redirectError(w, r, redirect, "invalid_scope", "unknown scope", state)
		return
	}
	sess := session{
		grant: "authorization_code", clientID: store.ClientID, userID: stableUUID("ucommerce-user/" + store.Name),
		sessionID: uuid4(), redirectURI: redirect, scope: q.Get("scope"),
	}
	code := u.s.issueCode(u, sess, u.cfg.CodeTTL.Duration, "", newUcommerceCode)
	enc := url.QueryEscape(code)
	if u.s.has(CodeNotEncoded) {
		enc = code
	}
	loc := redirect + querySep(redirect) + "code=" + enc
	if state != "" && !u.s.has(StateNotEchoed) {
		loc += "&state=" + url.QueryEscape(state)
	}
	w.Header().Set("Location", loc)
	w.WriteHeader(http.StatusFound)
}

// newUcommerceCode returns a code in standard base64 that always contains '+',
// '/' and '=': characters that must be percent-encoded in a URL, which makes the
// seed's "the code is URL encoded and must be URL-decoded" rule observable.
func newUcommerceCode() string {
	for {
		c := base64.StdEncoding.EncodeToString(randBytes(32)) // 44 chars, one '='
		if strings.ContainsRune(c, '+') && strings.ContainsRune(c, '/') {
			return c
		}
	}
}

func querySep(u string) string {
	if strings.Contains(u, "?") {
		return "&"
	}
	return "?"
}

// authenticateClient requires HTTP Basic credentials of a store (docs/vendors.md §1:
// client_id and secret never go in the body).
func (u *ucommerce) authenticateClient(tr *tokenRequest, _ string) (*client, *oauthError) {
	if !tr.basic {
		if u.s.has(SecretInQuery) && tr.query.Get("client_id") != "" {
			tr.basic, tr.basicID, tr.basicPass = true, tr.query.Get("client_id"), tr.query.Get("client_secret")
		} else {
			return nil, errInvalidClient("missing HTTP Basic client credentials")
		}
	}
	store := u.stores[tr.basicID]
	if store == nil {
		return nil, errInvalidClient("unknown client")
	}
	if !secretEqual(tr.basicPass, store.ClientSecret) && !u.s.has(ClientAuthSkipped) {
		return nil, errInvalidClient("client authentication failed")
	}
	return &client{id: store.ClientID}, nil
}

// ucAccessClaims are the claims of the documentation's example access token.
type ucAccessClaims struct {
	UserID    string `json:"userId"`
	ClientID  string `json:"clientId"`
	Role      string `json:"role"`
	SessionID string `json:"sessionId"`
	Jti       string `json:"jti"`
	Nbf       int64  `json:"nbf"`
	Exp       int64  `json:"exp"`
	Iat       int64  `json:"iat"`
}

// ucRefreshClaims are the claims of the documentation's example refresh token.
type ucRefreshClaims struct {
	UserID    string `json:"userId"`
	ClientID  string `json:"clientId"`
	ConsentID string `json:"consentId"`
	SessionID string `json:"sessionId"`
	Role      string `json:"role"`
	Jti       string `json:"jti"`
	Nbf       int64  `json:"nbf"`
	Exp       int64  `json:"exp"`
	Iat       int64  `json:"iat"`
}

// minimalClaims is what jwt-claims-missing leaves in a token.
type minimalClaims struct {
	Jti string `json:"jti"`
	Exp int64  `json:"exp"`
}

func (u *ucommerce) mint(sess *session, withRefresh bool) (*tokens, error) {
	now := u.s.now()
	said, real := u.s.lifetimes(u.cfg.AccessTTL.Duration)
	exp := now.Add(real)
	jti := tokenID(sess, now, 16, "access")
	sid := sess.sessionID
	if sess.fixed { // tokens-deterministic: no per-code session id either
		sid = tokenID(sess, now, 16, "session")
	}
	var claims any = ucAccessClaims{
		UserID: sess.userID, ClientID: sess.clientID, Role: "ClientUser", SessionID: sid,
		Jti: jti, Nbf: now.Unix(), Exp: exp.Unix(), Iat: now.Unix(),
	}
	if u.s.has(JWTClaimsMissing) {
		claims = minimalClaims{Jti: jti, Exp: exp.Unix()}
	}
	claims, err := u.s.breakClaimTypes(claims)
	if err != nil {
		return nil, err
	}
	access, err := u.jwt.sign(claims)
	if err != nil {
		return nil, err
	}
	u.s.addAccess(sess.fam, jti, exp)
	t := &tokens{sess: sess, access: access, accessExp: exp, expiresIn: said}
	if withRefresh {
		rjti := tokenID(sess, now, 16, "refresh")
		rexp := now.Add(u.cfg.RefreshTTL.Duration)
		t.refresh, err = u.jwt.sign(ucRefreshClaims{
			UserID: sess.userID, ClientID: sess.clientID, ConsentID: stableUUID("consent/" + sess.sessionID),
			SessionID: sid, Role: "RefreshToken", Jti: rjti, Nbf: now.Unix(), Exp: rexp.Unix(), Iat: now.Unix(),
		})
		if err != nil {
			return nil, err
		}
		u.s.storeRefresh(u, rjti, sess, rexp)
	}
	return t, nil
}

// refreshKey verifies a refresh JWT and returns its id.
func (u *ucommerce) refreshKey(tok string) (string, *oauthError) {
	var c bearerClaims
	if err := u.jwt.verify(tok, &c); err != nil || c.Role != "RefreshToken" || c.Jti == "" {
		return "", &oauthError{code: "invalid_grant", desc: "the refresh token is malformed or not a refresh token", reason: reasonRefreshInvalid}
	}
	return c.Jti, nil
}

// ucTokenBody is the documented response, in its field order.
type ucTokenBody struct {
	AccessToken  string  `json:"access_token"`
	ExpiresIn    any     `json:"expires_in"`
	RedirectURI  *string `json:"redirect_uri"`
	RefreshToken string  `json:"refresh_token,omitempty"`
	TokenType    string  `json:"token_type"`
}

func (u *ucommerce) respond(w http.ResponseWriter, tr *tokenRequest, t *tokens) {
	var redirect *string
	if tr.grant == "authorization_code" {
		redirect = &t.sess.redirectURI
	}
	u.s.writeToken(w, http.StatusOK, ucTokenBody{
		AccessToken: t.access, ExpiresIn: u.s.expiresIn(t.expiresIn), RedirectURI: redirect,
		RefreshToken: t.refresh, TokenType: u.s.tokenType("bearer"),
	})
}

// ucError is one entry of Ucommerce's {"errors":[...]} body (note the hyphen).
type ucError struct {
	Error       string `json:"error"`
	Description string `json:"error-description"`
}

func (u *ucommerce) writeError(w http.ResponseWriter, tr *tokenRequest, e *oauthError) {
	status := u.s.errorStatus(e, http.StatusBadRequest)
	if e.code == "invalid_client" && status == http.StatusUnauthorized {
		if u.s.has(NoBasicChallenge) {
			status = http.StatusBadRequest
		} else {
			w.Header().Set("WWW-Authenticate", `Basic realm="ucommerce"`)
		}
	}
	if u.s.has(ErrorFormatWrong) {
		writePlainError(w, status, e)
		return
	}
	writeJSON(w, status, map[string][]ucError{"errors": {{Error: u.s.errorCode(e.code), Description: e.desc}}})
}

// ucMethodNotAllowed is a Headless API resource's 405: the Allow header (RFC
// 9110 §15.5.6) and Ucommerce's errors body.
func ucMethodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	writeJSON(w, http.StatusMethodNotAllowed, map[string][]ucError{"errors": {{Error: "invalid_request", Description: "method not allowed; use " + allow}}})
}

// priceGroups is a protected resource of the Headless API.
func (u *ucommerce) priceGroups(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		ucMethodNotAllowed(w, "GET")
		return
	}
	_, e := u.s.checkJWTBearer(r, u.jwt, func(c *bearerClaims) bool { return c.Role != "RefreshToken" })
	if e != nil {
		if !u.s.has(BearerNoChallenge) {
			w.Header().Set("WWW-Authenticate", bearerChallenge("ucommerce", e))
		}
		code := e.code
		if code == "" {
			code = "invalid_token"
		}
		writeJSON(w, e.status, map[string][]ucError{"errors": {{Error: code, Description: e.desc}}})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"priceGroups": []map[string]string{
		{"id": stableUUID("price-group/eur"), "name": "EUR 15pct", "currencyISOCode": "EUR"},
		{"id": stableUUID("price-group/usd"), "name": "USD 8pct", "currencyISOCode": "USD"},
	}})
}
