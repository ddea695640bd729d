package profile

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
)

// TokenRequest is a request to the token endpoint (RFC 6749 §3.2), or to an
// endpoint beside it (revocation, introspection), built from a profile: the
// body encoded once, the client authentication applied.
type TokenRequest struct {
	Method string
	// Path is the endpoint's path (or absolute URL), with the query of a GET
	// request or of WithQuery.
	Path   string
	Header http.Header
	Body   []byte
	// Params are the parameters that went into Body (or the query of a GET),
	// for transcripts; a raw parameter (WithRawParam) holds its raw value.
	Params map[string]string
}

// authClient is the client a request authenticates as (RFC 6749 §2.1): a
// confidential client has a secret; a public client sends only its
// client_id (§2.3).
type authClient struct {
	ID, Secret string
	Public     bool
}

// RequestOption changes a request NewTokenRequest or NewEndpointRequest
// builds. Options apply in order; parameter options (WithParam, WithParams,
// WithoutParam) are applied after the client authentication is placed, so
// they may override or remove what it put into the body.
type RequestOption func(*request)

// paramEdit is one parameter change: set k to v, or remove k.
type paramEdit struct {
	k, v   string
	remove bool
}

// request is what the options configure; build turns it into a TokenRequest.
type request struct {
	client *authClient // set by WithClient / WithPublicClient: another client
	auth   string      // set by WithAuth: the client authentication style
	noAuth bool        // WithoutClientAuth
	edits  []paramEdit
	raw    []paramEdit // WithRawParam, in order
	method string
	query  url.Values
	path   string
}

// WithClient authenticates the request as the confidential client id with
// secret (an empty secret is left out of a body, and empty in a Basic
// header) instead of the main client. On the token endpoint it also replaces
// a client_id the grant's params fix (Shopware's "administration").
func WithClient(id, secret string) RequestOption {
	return func(r *request) { r.client = &authClient{ID: id, Secret: secret} }
}

// WithPublicClient makes the request come from the public client id: only
// its client_id is sent, in the body (RFC 6749 §2.3, §3.2.1).
func WithPublicClient(id string) RequestOption {
	return func(r *request) { r.client = &authClient{ID: id, Public: true} }
}

// WithAuth forces the client authentication style (ClientAuthBasic,
// ClientAuthBody or ClientAuthNone) instead of the profile's. A public client
// still sends only its client_id, and another confidential client on a
// style of none still presents its credentials (see NewTokenRequest).
func WithAuth(style string) RequestOption {
	return func(r *request) { r.auth = style }
}

// WithoutClientAuth sends no client credentials: no Authorization header,
// no client_secret, and no client_id unless the grant's params fix one.
func WithoutClientAuth() RequestOption {
	return func(r *request) { r.noAuth = true }
}

// WithParam sets parameter k to v (an empty v is sent empty), overriding the
// grant's params and the client authentication's.
func WithParam(k, v string) RequestOption {
	return func(r *request) { r.edits = append(r.edits, paramEdit{k: k, v: v}) }
}

// WithParams sets every parameter of m, as WithParam does.
func WithParams(m map[string]string) RequestOption {
	return func(r *request) {
		for k, v := range m {
			r.edits = append(r.edits, paramEdit{k: k, v: v})
		}
	}
}

// WithoutParam removes parameter k (grant_type, a grant's param, or a
// client_id or client_secret the client authentication placed).
func WithoutParam(k string) RequestOption {
	return func(r *request) { r.edits = append(r.edits, paramEdit{k: k, remove: true}) }
}

// WithRawParam sends parameter k with value raw verbatim: a form body gets
// "&k=raw" appended without form-encoding raw (so that '+' and '%XX' reach
// the server's form decoding as they are); a JSON body, which has no raw
// form, carries raw as an ordinary string.
func WithRawParam(k, raw string) RequestOption {
	return func(r *request) { r.raw = append(r.raw, paramEdit{k: k, v: raw}) }
}

// WithMethod sets the HTTP method (default POST). A GET sends the parameters
// in the query and has no body (RFC 6749 §3.2 requires POST: the suite uses
// GET to check that it is refused).
func WithMethod(method string) RequestOption {
	return func(r *request) { r.method = method }
}

// WithQuery adds q to the request URL's query.
func WithQuery(q url.Values) RequestOption {
	return func(r *request) { r.query = q }
}

// WithPath sends the request to path instead of the endpoint's.
func WithPath(path string) RequestOption {
	return func(r *request) { r.path = path }
}

// NewTokenRequest builds the token request (RFC 6749 §3.2) for grant g:
// grant_type, the grant's params (credential references expanded), the
// client authentication, then the options' parameters, encoded once per
// Token.Encoding.
//
// The client is the main one (credentials client_id and client_secret)
// unless WithClient or WithPublicClient names another; it authenticates as
// ClientAuthFor(g) says, or WithAuth. A public client sends only its
// client_id. Another confidential client on a grant that authenticates no
// client (Shopware's refresh as "administration") presents its credentials
// the way the token endpoint takes them (token.client_auth; body when that
// is none too). A client_id the grant's params fix stays unless another
// client is used; a client_secret in them is always replaced by the client
// authentication's.
func (p *Profile) NewTokenRequest(g string, c Credentials, opts ...RequestOption) (*TokenRequest, error) {
	gr, ok := p.Grants[g]
	if !ok {
		return nil, fmt.Errorf("profile %s does not support grant %s", p.Name, g)
	}
	params := map[string]string{"grant_type": g}
	for k, v := range gr.Params {
		ev, err := c.Expand(v)
		if err != nil {
			return nil, fmt.Errorf("grants.%s.params.%s: %w", g, k, err)
		}
		params[k] = ev
	}
	r := request{method: http.MethodPost, path: p.Token.Path}
	for _, o := range opts {
		o(&r)
	}
	id, _ := c.Get("client_id")
	secret, _ := c.Get("client_secret")
	cl, style := authClient{ID: id, Secret: secret}, p.ClientAuthFor(g)
	if r.client != nil {
		cl = *r.client
	}
	if r.auth != "" {
		style = r.auth
	}
	style = p.clientStyle(style, cl, r.client != nil)
	_, fixed := gr.Params["client_id"]
	return r.build(params, p.Token.Encoding, cl, style, fixed && r.client == nil), nil
}

// NewEndpointRequest builds a form-encoded POST of params to path, an
// endpoint beside the token endpoint: revocation (RFC 7009 §2.1) or
// introspection (RFC 7662 §2.1). The client given by WithClient or
// WithPublicClient authenticates the way the token endpoint takes it
// (token.client_auth; in the body when that is none); with neither, no
// client credentials are sent. params is not changed.
func (p *Profile) NewEndpointRequest(path string, params map[string]string, opts ...RequestOption) *TokenRequest {
	body := make(map[string]string, len(params)+2)
	for k, v := range params {
		body[k] = v
	}
	r := request{method: http.MethodPost, path: path}
	for _, o := range opts {
		o(&r)
	}
	var cl authClient
	if r.client == nil {
		r.noAuth = true
	} else {
		cl = *r.client
	}
	style := r.auth
	if style == "" {
		style = p.endpointStyle()
	}
	return r.build(body, EncodingForm, cl, p.clientStyle(style, cl, r.client != nil), false)
}

// clientStyle is the client authentication style for client cl given the
// style the grant (or WithAuth) asks for: a public client sends only its id;
// another confidential client where no client is authenticated presents its
// credentials the way the token endpoint takes them.
func (p *Profile) clientStyle(style string, cl authClient, other bool) string {
	switch {
	case other && cl.Public:
		return ClientAuthNone
	case other && style == ClientAuthNone && cl.Secret != "":
		return p.endpointStyle()
	}
	return style
}

// endpointStyle is how the token endpoint takes client credentials, body
// when it authenticates no client: also used by revocation and
// introspection, which authenticate the client as the token endpoint does
// (RFC 7009 §2.1, RFC 7662 §2.1).
func (p *Profile) endpointStyle() string {
	if p.Token.ClientAuth == ClientAuthNone || p.Token.ClientAuth == "" {
		return ClientAuthBody
	}
	return p.Token.ClientAuth
}

// build places the client authentication, applies the parameter options and
// encodes the request once.
func (r *request) build(params map[string]string, encoding string, cl authClient, style string, fixedID bool) *TokenRequest {
	h := http.Header{"Accept": {"application/json"}}
	if r.noAuth {
		clearClientAuth(params, fixedID)
	} else {
		placeClientAuth(params, h, style, cl, fixedID)
	}
	for _, e := range r.edits {
		if e.remove {
			delete(params, e.k)
		} else {
			params[e.k] = e.v
		}
	}
	tr := &TokenRequest{Method: r.method, Path: r.path, Header: h, Params: params}
	if r.method == http.MethodGet {
		tr.Path += "?" + r.getQuery(params).Encode()
		return tr
	}
	body, ctype := encodeWithRaw(encoding, params, r.raw)
	tr.Body = body
	h.Set("Content-Type", ctype)
	if len(r.query) > 0 {
		tr.Path += "?" + r.query.Encode()
	}
	return tr
}

// getQuery is the query of a GET request: WithQuery's values, then every
// parameter (raw ones included), which win.
func (r *request) getQuery(params map[string]string) url.Values {
	q := url.Values{}
	for k, v := range r.query {
		q[k] = v
	}
	for _, e := range r.raw {
		params[e.k] = e.v
	}
	for k, v := range params {
		q.Set(k, v)
	}
	return q
}

// clearClientAuth removes client credentials from params: client_secret, and
// client_id unless the grant's params fix it.
func clearClientAuth(params map[string]string, fixedID bool) {
	if !fixedID {
		delete(params, "client_id")
	}
	delete(params, "client_secret")
}

// placeClientAuth is the one place client credentials go onto a request
// (RFC 6749 §2.3.1): ClientAuthBasic puts id and secret, each
// form-encoded, in an HTTP Basic Authorization header; ClientAuthBody puts
// client_id and client_secret (when not empty) in the body; ClientAuthNone
// sends the client_id alone (a public client, §2.3), when there is one.
func placeClientAuth(params map[string]string, h http.Header, style string, cl authClient, fixedID bool) {
	clearClientAuth(params, fixedID)
	switch style {
	case ClientAuthBasic:
		raw := url.QueryEscape(cl.ID) + ":" + url.QueryEscape(cl.Secret)
		h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(raw)))
	case ClientAuthBody:
		if _, ok := params["client_id"]; !ok {
			params["client_id"] = cl.ID
		}
		if cl.Secret != "" {
			params["client_secret"] = cl.Secret
		}
	case ClientAuthNone:
		if _, ok := params["client_id"]; !ok && cl.ID != "" {
			params["client_id"] = cl.ID
		}
	}
}

// encodeWithRaw encodes params per encoding, with the raw parameters
// appended verbatim to a form body (set as strings in a JSON one); params
// ends up holding the raw values, for transcripts.
func encodeWithRaw(encoding string, params map[string]string, raw []paramEdit) ([]byte, string) {
	if encoding != EncodingForm || len(raw) == 0 {
		for _, e := range raw {
			params[e.k] = e.v
		}
		return EncodeBody(encoding, params)
	}
	for _, e := range raw {
		delete(params, e.k)
	}
	body, ctype := EncodeBody(encoding, params)
	for _, e := range raw {
		body = append(body, "&"+e.k+"="+e.v...)
		params[e.k] = e.v
	}
	return body, ctype
}

// EncodeBody encodes params as a form or a JSON object (keys sorted) and
// returns the body with its Content-Type.
func EncodeBody(encoding string, params map[string]string) ([]byte, string) {
	if encoding == EncodingJSON {
		keys := make([]string, 0, len(params))
		for k := range params {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		obj := make(map[string]string, len(params))
		for _, k := range keys {
			obj[k] = params[k]
		}
		b, _ := json.Marshal(obj) // a map[string]string always marshals
		return b, "application/json"
	}
	v := url.Values{}
	for k, x := range params {
		v.Set(k, x)
	}
	return []byte(v.Encode()), "application/x-www-form-urlencoded"
}
