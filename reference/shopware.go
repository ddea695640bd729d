package reference

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// shopware is the Shopware 6 Admin API dialect (docs/vendors.md §2):
// POST /api/oauth/token with a JSON (or form) body; client_credentials with an
// integration's access key, password with client_id "administration",
// refresh_token with rotation; JWT access tokens; League's errors wrapped in
// Shopware's {"errors":[{code,status,title,detail}]} body.
type shopware struct {
	s            *Server
	cfg          ShopwareConfig
	integrations map[string]string // access key id → secret
	users        map[string]*ShopwareUser
	jwt          *hs256
}

func newShopware(s *Server, cfg ShopwareConfig) *shopware {
	sw := &shopware{s: s, cfg: cfg, integrations: map[string]string{}, users: map[string]*ShopwareUser{}, jwt: newHS256(cfg.SigningKey)}
	for _, in := range cfg.Integrations {
		sw.integrations[in.AccessKeyID] = in.SecretAccessKey
	}
	for i := range cfg.Users {
		sw.users[cfg.Users[i].Username] = &cfg.Users[i]
	}
	return sw
}

func (sw *shopware) name() string { return "shopware" }

func (sw *shopware) routes(mux *http.ServeMux) {
	mux.HandleFunc("/api/oauth/token", sw.s.tokenEndpoint(sw, bodyRules{json: true, lastWins: true}, map[string]grantFunc{
		"client_credentials": sw.s.grantClientCredentials,
		"password":           sw.s.grantPassword,
		"refresh_token":      sw.s.grantRefreshToken,
	}))
	mux.HandleFunc("/api/_info/version", sw.version)
}

// administrationClient is the only client_id the password and refresh grants accept.
const administrationClient = "administration"

// authenticateClient follows Shopware's ClientRepository: the password grant
// needs client_id "administration" (any other → unsupported_grant_type, docs/vendors.md
// §2); refresh_token accepts "administration" without a secret, or any
// integration with its key pair, whose refresh then fails the binding check
// ("Token is not linked to client"); client_credentials needs an integration's
// key pair, in the body or via HTTP Basic, as League falls back to.
func (sw *shopware) authenticateClient(tr *tokenRequest, grant string) (*client, *oauthError) {
	id, secret := tr.params["client_id"], tr.params["client_secret"]
	if id == "" && tr.basic {
		id, secret = tr.basicID, tr.basicPass
	}
	if sw.s.has(SecretInQuery) && id == "" {
		id, secret = tr.query.Get("client_id"), tr.query.Get("client_secret")
	}
	if id == "" {
		return nil, sw.s.missing(sw, "client_id")
	}
	switch {
	case grant == "password" && (id == administrationClient || sw.s.has(PasswordAnyClient)):
		return &client{id: administrationClient, public: true}, nil
	case grant == "password":
		return nil, errUnsupportedGrant(grant)
	case grant == "refresh_token" && id == administrationClient:
		return &client{id: administrationClient, public: true}, nil
	}
	if secret == "" {
		if grant == "refresh_token" {
			return nil, errInvalidClient("client authentication failed")
		}
		return nil, errUnsupportedGrant(grant) // docs/vendors.md: a missing client_secret → 400 code 2
	}
	want, ok := sw.integrations[id]
	if !ok || (!secretEqual(secret, want) && !sw.s.has(ClientAuthSkipped)) {
		return nil, errInvalidClient("client authentication failed")
	}
	return &client{id: id}, nil
}

func (sw *shopware) authenticateUser(username, password string) (string, *oauthError) {
	u, ok := sw.users[username]
	if !ok || (!secretEqual(password, u.Password) && !sw.s.has(PasswordAny)) {
		return "", &oauthError{code: "invalid_grant", desc: "The user credentials were incorrect.", reason: reasonUserCredentials}
	}
	return strings.ReplaceAll(stableUUID("shopware-user/"+username), "-", ""), nil
}

// checkScope validates League's "scope" parameter (the documented "scopes" key
// is ignored, as on the real server) and returns the finalized scopes: "write",
// plus "admin" for the administration client, plus "user-verified" only when it
// was requested (docs/vendors.md §2).
func (sw *shopware) checkScope(cl *client, scope string) (string, *oauthError) {
	verified := false
	for _, sc := range strings.Fields(scope) {
		switch sc {
		case "write", "admin":
		case "user-verified":
			verified = true
		default:
			return "", &oauthError{code: "invalid_scope", desc: "The requested scope is invalid, unknown, or malformed", param: "scope"}
		}
	}
	if cl.id != administrationClient {
		return "write", nil
	}
	if verified {
		return "write admin user-verified", nil
	}
	return "write admin", nil
}

// swAccessClaims are Shopware's access token claims; times are floats with
// microseconds, as the real server writes them.
type swAccessClaims struct {
	Aud    string      `json:"aud"`
	Jti    string      `json:"jti"`
	Iat    json.Number `json:"iat"`
	Nbf    json.Number `json:"nbf"`
	Exp    json.Number `json:"exp"`
	Sub    string      `json:"sub"`
	Scopes []string    `json:"scopes"`
}

func microTime(t time.Time) json.Number {
	return json.Number(fmt.Sprintf("%d.%06d", t.Unix(), t.Nanosecond()/1000))
}

func (sw *shopware) mint(sess *session, withRefresh bool) (*tokens, error) {
	now := sw.s.now()
	if sess.fixed {
		now = now.Truncate(time.Second)
	}
	said, real := sw.s.lifetimes(sw.cfg.AccessTTL.Duration)
	exp := now.Add(real)
	jti := tokenID(sess, now, 40, "access")
	var claims any = swAccessClaims{
		Aud: sess.clientID, Jti: jti, Iat: microTime(now), Nbf: microTime(now), Exp: microTime(exp),
		Sub: sess.userID, Scopes: strings.Fields(sess.scope),
	}
	if sw.s.has(JWTClaimsMissing) {
		claims = minimalClaims{Jti: jti, Exp: exp.Unix()}
	}
	claims, err := sw.s.breakClaimTypes(claims)
	if err != nil {
		return nil, err
	}
	access, err := sw.jwt.sign(claims)
	if err != nil {
		return nil, err
	}
	sw.s.addAccess(sess.fam, jti, exp)
	t := &tokens{sess: sess, access: access, accessExp: exp, expiresIn: said}
	if withRefresh {
		t.refresh = "def50200" + tokenID(sess, now, 96, "refresh")
		sw.s.storeRefresh(sw, t.refresh, sess, now.Add(sw.cfg.RefreshTTL.Duration))
	}
	return t, nil
}

// swTokenBody is League's BearerTokenResponse, in its field order.
type swTokenBody struct {
	TokenType    string `json:"token_type"`
	ExpiresIn    any    `json:"expires_in"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

func (sw *shopware) respond(w http.ResponseWriter, _ *tokenRequest, t *tokens) {
	sw.s.writeToken(w, http.StatusOK, swTokenBody{
		TokenType: sw.s.tokenType("Bearer"), ExpiresIn: sw.s.expiresIn(t.expiresIn),
		AccessToken: t.access, RefreshToken: t.refresh,
	})
}

// swError is one entry of Shopware's error body.
type swError struct {
	Code   string  `json:"code"`
	Status string  `json:"status"`
	Title  string  `json:"title"`
	Detail *string `json:"detail"`
}

// swErrorFor maps an error to League's integer code, title and detail.
func swErrorFor(e *oauthError) (code, title string, detail *string) {
	str := func(s string) *string { return &s }
	switch {
	case e.status == http.StatusMethodNotAllowed:
		return "0", "Method Not Allowed", str(e.desc)
	case e.code == "unsupported_grant_type":
		return "2", "The authorization grant type is not supported by the authorization server.", str("Check that all required parameters have been provided")
	case e.code == "invalid_request":
		return "3", "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.", str(fmt.Sprintf("Check the `%s` parameter", e.param))
	case e.code == "invalid_client":
		return "4", "Client authentication failed", nil
	case e.code == "invalid_scope":
		return "5", "The requested scope is invalid, unknown, or malformed", nil
	case e.reason == reasonUserCredentials:
		return "6", "The user credentials were incorrect.", nil
	case e.reason == reasonRefreshInvalid:
		return "8", "The refresh token is invalid.", str(e.desc)
	case e.code == "invalid_grant":
		return "10", "The provided authorization grant is invalid, expired, revoked, or was issued to another client.", str(e.desc)
	}
	return "7", "The authorization server encountered an unexpected condition which prevented it from fulfilling the request.", str(e.desc)
}

func (sw *shopware) writeError(w http.ResponseWriter, tr *tokenRequest, e *oauthError) {
	status := sw.s.errorStatus(e, http.StatusBadRequest)
	if e.code == "invalid_client" && status == http.StatusUnauthorized {
		if sw.s.has(NoBasicChallenge) {
			status = http.StatusBadRequest
		} else if tr.hasAuthHeader {
			w.Header().Set("WWW-Authenticate", `Basic realm="OAuth"`)
		}
	}
	if sw.s.has(ErrorFormatWrong) {
		writePlainError(w, status, e)
		return
	}
	code, title, detail := swErrorFor(e)
	if sw.s.has(WrongErrorCode) {
		n, _ := strconv.Atoi(code)
		code = strconv.Itoa(n + 1)
	}
	writeJSON(w, status, map[string][]swError{"errors": {{Code: code, Status: strconv.Itoa(status), Title: title, Detail: detail}}})
}

// swMethodNotAllowed is an Admin API route's 405: the Allow header (RFC 9110
// §15.5.6) and Shopware's errors envelope, code "0" as Symfony's
// MethodNotAllowedHttpException is rendered.
func swMethodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	detail := "method not allowed; use " + allow
	writeJSON(w, http.StatusMethodNotAllowed, map[string][]swError{"errors": {{
		Code: "0", Status: "405", Title: "Method Not Allowed", Detail: &detail,
	}}})
}

// version is GET /api/_info/version, a protected Admin API resource.
func (sw *shopware) version(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		swMethodNotAllowed(w, "GET")
		return
	}
	_, e := sw.s.checkJWTBearer(r, sw.jwt, nil)
	if h := r.Header.Get("Authorization"); e == nil && h != "" && !strings.HasPrefix(strings.TrimLeft(h, " \t"), "Bearer ") {
		// League strips the scheme with the case-sensitive /^(?:\s+)?Bearer\s/
		// (docs/vendors.md §2): "bearer x" is parsed as a JWT and refused.
		e = errTokenInvalid("the JWT string must have two dots")
	}
	if e != nil {
		detail := e.desc
		// docs/vendors.md §2: 401 with code "9" and no WWW-Authenticate header.
		writeJSON(w, http.StatusUnauthorized, map[string][]swError{"errors": {{
			Code: "9", Status: "401", Title: "The resource owner or authorization server denied the request.", Detail: &detail,
		}}})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"version": "6.7.0.0"})
}
