package reference

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"
)

// elasticPath is the Elastic Path Commerce Cloud dialect (docs/vendors.md
// §3): POST /oauth/access_token (form) issues opaque client_credentials and
// implicit tokens with expires/identifier fields; customer and account-member
// tokens are issued to bearers of those and used alongside the implicit token.
type elasticPath struct {
	s          *Server
	cfg        ElasticPathConfig
	clients    map[string]string // client id → secret
	customers  map[string]*EPCustomer
	members    map[string]*EPAccountMember // password_profile_id + "\x00" + username
	customerJW *hs256
	accountJW  *hs256
}

func newElasticPath(s *Server, cfg ElasticPathConfig) *elasticPath {
	ep := &elasticPath{
		s: s, cfg: cfg, clients: map[string]string{}, customers: map[string]*EPCustomer{}, members: map[string]*EPAccountMember{},
		customerJW: newHS256(cfg.SigningKey + "/customer"), accountJW: newHS256(cfg.SigningKey + "/account"),
	}
	for _, c := range cfg.Clients {
		ep.clients[c.ClientID] = c.ClientSecret
	}
	for i := range cfg.Customers {
		ep.customers[cfg.Customers[i].Email] = &cfg.Customers[i]
	}
	for i := range cfg.AccountMembers {
		m := &cfg.AccountMembers[i]
		ep.members[m.PasswordProfileID+"\x00"+m.Username] = m
	}
	return ep
}

func (ep *elasticPath) name() string { return "elasticpath" }

func (ep *elasticPath) routes(mux *http.ServeMux) {
	mux.HandleFunc("/oauth/access_token", ep.s.tokenEndpoint(ep, bodyRules{}, map[string]grantFunc{
		"client_credentials": ep.s.grantClientCredentials,
		"implicit":           ep.s.grantImplicit,
	}))
	mux.HandleFunc("/v2/customers/tokens", ep.customerToken)
	mux.HandleFunc("/v2/account-members/tokens", ep.accountToken)
	mux.HandleFunc("/catalog/products", ep.catalog)
	mux.HandleFunc("/v2/products", ep.products)
	mux.HandleFunc("/v2/orders", ep.orders)
}

// authenticateClient: client_credentials needs client_id and client_secret in
// the form body; implicit needs only a known client_id.
func (ep *elasticPath) authenticateClient(tr *tokenRequest, grant string) (*client, *oauthError) {
	id, secret := tr.params["client_id"], tr.params["client_secret"]
	if ep.s.has(SecretInQuery) && id == "" {
		id, secret = tr.query.Get("client_id"), tr.query.Get("client_secret")
	}
	if id == "" {
		return nil, ep.s.missing(ep, "client_id")
	}
	want, ok := ep.clients[id]
	if !ok {
		return nil, errInvalidClient("unknown client_id")
	}
	if grant == "implicit" {
		return &client{id: id, public: true}, nil
	}
	if secret == "" {
		return nil, ep.s.missing(ep, "client_secret")
	}
	if !secretEqual(secret, want) && !ep.s.has(ClientAuthSkipped) {
		return nil, errInvalidClient("client authentication failed")
	}
	return &client{id: id}, nil
}

func (ep *elasticPath) mint(sess *session, withRefresh bool) (*tokens, error) {
	now := ep.s.now()
	said, real := ep.s.lifetimes(ep.cfg.AccessTTL.Duration)
	exp := now.Add(real)
	tok := tokenID(sess, now, 20, "access") // 40 hex characters, as in the documentation's sample
	ep.s.opaque.put(tok, &opaqueEntry{grant: sess.grant, exp: exp}, now)
	t := &tokens{sess: sess, access: tok, accessExp: exp, expiresIn: said}
	if withRefresh {
		t.refresh = randHex(20) // only the refresh defects get here: EP has no refresh grant
	}
	return t, nil
}

// epTokenBody is the documentation's sample response, in its field order.
type epTokenBody struct {
	Expires      int64  `json:"expires"`
	Identifier   string `json:"identifier"`
	ExpiresIn    any    `json:"expires_in"`
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

func (ep *elasticPath) respond(w http.ResponseWriter, _ *tokenRequest, t *tokens) {
	expires := t.accessExp.Unix()
	if ep.s.has(EPExpiresMillis) {
		expires = t.accessExp.UnixMilli()
	}
	identifier := t.sess.grant
	if ep.s.has(EPIdentifierWrong) {
		identifier = "client_credentials"
	}
	ep.s.writeToken(w, http.StatusOK, epTokenBody{
		Expires: expires, Identifier: identifier, ExpiresIn: ep.s.expiresIn(t.expiresIn),
		AccessToken: t.access, TokenType: ep.s.tokenType("Bearer"), RefreshToken: t.refresh,
	})
}

// epError is one entry of Elastic Path's error body.
type epError struct {
	Title  string `json:"title"`
	Status any    `json:"status"` // a string at the token endpoint, a number on API calls
	Detail string `json:"detail,omitempty"`
}

func (ep *elasticPath) writeError(w http.ResponseWriter, _ *tokenRequest, e *oauthError) {
	status := ep.s.errorStatus(e, http.StatusBadRequest)
	if ep.s.has(ErrorFormatWrong) {
		writePlainError(w, status, e)
		return
	}
	title := http.StatusText(status)
	if ep.s.has(WrongErrorCode) {
		title = "Internal Server Error"
	}
	writeJSON(w, status, map[string][]epError{"errors": {{Title: title, Status: strconv.Itoa(status), Detail: e.desc}}})
}

// apiError writes an error of an API call (numeric status, docs/vendors.md §3).
func apiError(w http.ResponseWriter, status int, title, detail string) {
	writeJSON(w, status, map[string][]epError{"errors": {{Title: title, Status: status, Detail: detail}}})
}

// epMethodNotAllowed is an API call's 405: the Allow header (RFC 9110
// §15.5.6) and Elastic Path's errors array.
func epMethodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	apiError(w, http.StatusMethodNotAllowed, "Method Not Allowed", "use "+allow)
}

// bearer authenticates an API call with an implicit or client_credentials token.
func (ep *elasticPath) bearer(w http.ResponseWriter, r *http.Request) (*opaqueEntry, bool) {
	if ep.s.has(BearerAcceptsMissing) && r.Header.Get("Authorization") == "" {
		return &opaqueEntry{grant: "client_credentials"}, true // the defect
	}
	tok, e := ep.s.bearerToken(r)
	if e != nil {
		apiError(w, http.StatusUnauthorized, "Unable to validate access token", e.desc)
		return nil, false
	}
	ent, ok := ep.s.opaque.get(tok)
	switch {
	case !ok && ep.s.has(BearerAcceptsForged):
		return &opaqueEntry{grant: "client_credentials"}, true
	case !ok:
		apiError(w, http.StatusUnauthorized, "Unable to validate access token", "unknown access token")
		return nil, false
	case !ep.s.now().Before(ent.exp) && !ep.s.has(BearerAcceptsExpired):
		apiError(w, http.StatusUnauthorized, "Unable to validate access token", "the access token expired")
		return nil, false
	}
	return ent, true
}

// readData decodes a JSON:API {"data":{...}} request body.
func readData(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err != nil || json.Unmarshal(body, &env) != nil || len(env.Data) == 0 || json.Unmarshal(env.Data, v) != nil {
		apiError(w, http.StatusBadRequest, "Bad Request", `the body must be JSON {"data":{...}}`)
		return false
	}
	return true
}

// readTokenBody is the common start of the customer and account-member token
// endpoints: POST only, an implicit or client_credentials bearer token, and a
// JSON:API body decoded into v. It has answered the request when it returns false.
func (ep *elasticPath) readTokenBody(w http.ResponseWriter, r *http.Request, v any) bool {
	if r.Method != http.MethodPost {
		epMethodNotAllowed(w, "POST")
		return false
	}
	if _, ok := ep.bearer(w, r); !ok {
		return false
	}
	return readData(w, r, v)
}

// epTokenClaims are the claims of customer and account-member tokens.
type epTokenClaims struct {
	Sub   string `json:"sub"`
	Name  string `json:"name,omitempty"`
	Scope string `json:"scope,omitempty"`
	Jti   string `json:"jti"`
	Iat   int64  `json:"iat"`
	Exp   int64  `json:"exp"`
}

// customerToken is POST /v2/customers/tokens (password mechanism).
func (ep *elasticPath) customerToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Type      string `json:"type"`
		Email     string `json:"email"`
		Password  string `json:"password"`
		Mechanism string `json:"authentication_mechanism"`
	}
	if !ep.readTokenBody(w, r, &req) {
		return
	}
	if req.Type != "token" || req.Email == "" || req.Password == "" || (req.Mechanism != "" && req.Mechanism != "password") {
		apiError(w, http.StatusBadRequest, "Bad Request", `want type "token", email, password and authentication_mechanism "password"`)
		return
	}
	c, ok := ep.customers[req.Email]
	if !ok || (!secretEqual(req.Password, c.Password) && !ep.s.has(CustomerTokenAny)) {
		apiError(w, http.StatusUnauthorized, "Unauthorized", "invalid email or password")
		return
	}
	now := ep.s.now()
	exp := now.Add(ep.cfg.CustomerTokenTTL.Duration)
	id := uuid4()
	customerID := stableUUID("ep-customer/" + c.Email)
	tok, err := ep.customerJW.sign(epTokenClaims{Sub: customerID, Name: c.Name, Jti: id, Iat: now.Unix(), Exp: exp.Unix()})
	if err != nil {
		apiError(w, http.StatusInternalServerError, "Internal Server Error", "")
		return
	}
	ep.s.setNoStore(w)
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{
		"type": "token", "id": id, "customer_id": customerID, "token": tok, "expires": exp.Unix(),
	}})
}

// accountToken is POST /v2/account-members/tokens (password mechanism): one
// token per account the member belongs to, 201 Created.
func (ep *elasticPath) accountToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Type              string `json:"type"`
		Mechanism         string `json:"authentication_mechanism"`
		PasswordProfileID string `json:"password_profile_id"`
		Username          string `json:"username"`
		Password          string `json:"password"`
	}
	if !ep.readTokenBody(w, r, &req) {
		return
	}
	if req.Type != "account_management_authentication_token" || req.Mechanism != "password" || req.Username == "" || req.Password == "" {
		apiError(w, http.StatusBadRequest, "Bad Request", `want type "account_management_authentication_token", authentication_mechanism "password", password_profile_id, username and password`)
		return
	}
	m, ok := ep.members[req.PasswordProfileID+"\x00"+req.Username]
	if !ok || (!secretEqual(req.Password, m.Password) && !ep.s.has(CustomerTokenAny)) {
		apiError(w, http.StatusUnauthorized, "Unauthorized", "invalid username or password")
		return
	}
	now := ep.s.now()
	exp := now.Add(ep.cfg.AccountTokenTTL.Duration)
	memberID := stableUUID("ep-member/" + m.Username)
	data := make([]map[string]any, 0, len(m.Accounts))
	for _, a := range m.Accounts {
		tok, err := ep.accountJW.sign(epTokenClaims{Sub: memberID, Scope: a.ID, Jti: uuid4(), Iat: now.Unix(), Exp: exp.Unix()})
		if err != nil {
			apiError(w, http.StatusInternalServerError, "Internal Server Error", "")
			return
		}
		data = append(data, map[string]any{
			"type": "account_management_authentication_token", "account_name": a.Name, "account_id": a.ID,
			"token": tok, "expires": exp.UTC().Format(time.RFC3339Nano),
		})
	}
	ep.s.setNoStore(w)
	writeJSON(w, http.StatusCreated, map[string]any{
		"data":  data,
		"meta":  map[string]any{"account_member_id": memberID},
		"links": map[string]any{},
	})
}

// catalog is GET /catalog/products: readable with implicit and client_credentials tokens.
func (ep *elasticPath) catalog(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		epMethodNotAllowed(w, "GET")
		return
	}
	if _, ok := ep.bearer(w, r); !ok {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": []map[string]any{
		{"type": "product", "id": stableUUID("product/1"), "attributes": map[string]string{"name": "Demo product", "sku": "demo-1"}},
	}})
}

// products is POST /v2/products: a write, refused (403) to implicit tokens.
func (ep *elasticPath) products(w http.ResponseWriter, r *http.Request) {
	ent, ok := ep.bearer(w, r)
	if !ok {
		return
	}
	if r.Method == http.MethodGet {
		writeJSON(w, http.StatusOK, map[string]any{"data": []any{}})
		return
	}
	if r.Method != http.MethodPost {
		epMethodNotAllowed(w, "GET, POST")
		return
	}
	if ent.grant == "implicit" && !ep.s.has(ImplicitCanWrite) {
		apiError(w, http.StatusForbidden, "Forbidden", "implicit tokens are read-only")
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, maxBody))
	writeJSON(w, http.StatusCreated, map[string]any{"data": map[string]any{"type": "product", "id": uuid4()}})
}

// orders is GET /v2/orders: a client_credentials token, or an implicit token
// with a valid customer token (X-Moltin-Customer-Token) or account token
// (EP-Account-Management-Authentication-Token).
func (ep *elasticPath) orders(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		epMethodNotAllowed(w, "GET")
		return
	}
	ent, ok := ep.bearer(w, r)
	if !ok {
		return
	}
	if ent.grant != "implicit" {
		writeJSON(w, http.StatusOK, map[string]any{"data": []any{}})
		return
	}
	for _, h := range []struct {
		header string
		signer *hs256
	}{{"X-Moltin-Customer-Token", ep.customerJW}, {"EP-Account-Management-Authentication-Token", ep.accountJW}} {
		tok := r.Header.Get(h.header)
		if tok == "" {
			continue
		}
		var c bearerClaims
		if err := h.signer.verify(tok, &c); err != nil || ep.s.expired(c.Exp) {
			apiError(w, http.StatusUnauthorized, "Unauthorized", h.header+" is invalid or expired")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": []map[string]any{
			{"type": "order", "id": stableUUID("order/" + c.Sub), "status": "complete"},
		}})
		return
	}
	if ep.s.has(ImplicitReadsOrder) {
		writeJSON(w, http.StatusOK, map[string]any{"data": []any{}})
		return
	}
	apiError(w, http.StatusForbidden, "Forbidden", "an implicit token needs a customer or account token to read orders")
}
