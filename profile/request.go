package profile

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
)

// TokenRequest is a token endpoint request (RFC 6749 §3.2) built from a profile:
// the body already encoded, the client authentication applied.
type TokenRequest struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte
	// Params are the parameters that went into Body, for transcripts.
	Params map[string]string
}

// BuildTokenRequest builds the request for grant g: grant_type, the grant's
// declared params (credential references expanded), then extra (which override
// and may add; an extra value of "" removes that parameter), encoded per
// Token.Encoding, with client credentials placed per ClientAuthFor(g) from the
// client_id and client_secret credentials.
func (p *Profile) BuildTokenRequest(g string, c Credentials, extra map[string]string) (*TokenRequest, error) {
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
	h := http.Header{}
	id, _ := c.Get("client_id")
	secret, _ := c.Get("client_secret")
	switch p.ClientAuthFor(g) {
	case ClientAuthBasic:
		h.Set("Authorization", BasicAuth(id, secret))
	case ClientAuthBody:
		if _, set := params["client_id"]; !set {
			params["client_id"] = id
		}
		if _, set := params["client_secret"]; !set && secret != "" {
			params["client_secret"] = secret
		}
	case ClientAuthNone:
		if _, set := params["client_id"]; !set && id != "" {
			params["client_id"] = id
		}
	}
	for k, v := range extra {
		if v == "" {
			delete(params, k)
			continue
		}
		params[k] = v
	}
	body, ctype := EncodeBody(p.Token.Encoding, params)
	h.Set("Content-Type", ctype)
	h.Set("Accept", "application/json")
	return &TokenRequest{Method: http.MethodPost, Path: p.Token.Path, Header: h, Body: body, Params: params}, nil
}

// BasicAuth returns the RFC 6749 §2.3.1 Basic header value: client id and
// secret are each form-urlencoded, joined by ":" and base64-encoded.
func BasicAuth(id, secret string) string {
	raw := url.QueryEscape(id) + ":" + url.QueryEscape(secret)
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(raw))
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
