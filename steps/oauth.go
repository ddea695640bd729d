package steps

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/oauthconf/oauthconf/profile"
)

// clientCreds is a client identity used for one request.
type clientCreds struct {
	id, secret string
	public     bool
}

func (sc *scenario) mainClient() clientCreds {
	id, _ := sc.t.creds.Get("client_id")
	secret, _ := sc.t.creds.Get("client_secret")
	return clientCreds{id: id, secret: secret}
}

// otherClient is the second confidential client, if the credentials name one.
func otherClient(c profile.Credentials) (clientCreds, bool) {
	id, _ := c.Get("other_client_id")
	secret, _ := c.Get("other_client_secret")
	return clientCreds{id: id, secret: secret}, id != ""
}

// publicClient is the public client and its redirect URI, if configured.
func publicClient(c profile.Credentials) (clientCreds, string, bool) {
	id, _ := c.Get("public_client_id")
	ru, _ := c.Get("public_redirect_uri")
	return clientCreds{id: id, public: true}, ru, id != "" && ru != ""
}

// reqMod changes a profile-built token request for a negative test.
type reqMod struct {
	extra  map[string]string // parameters to add or override ("" removes)
	client *clientCreds      // authenticate as this client instead
	auth   string            // force a client authentication method (basic, body, none)
	method string            // default POST
	query  url.Values        // added to the URL
	// rawAppend is appended verbatim to a form body (repeated parameters).
	rawAppend string
	// rawCode replaces the code in a form body verbatim (not form-encoded).
	rawCode string
	// noClientAuth drops the client credentials from header and body.
	noClientAuth bool
}

// buildToken builds the token request for grant g from the profile
// (profile.BuildTokenRequest), then applies m.
func (sc *scenario) buildToken(g string, m reqMod) (*profile.TokenRequest, error) {
	tr, err := sc.t.p.BuildTokenRequest(g, sc.t.creds, nil)
	if err != nil {
		return nil, err
	}
	params := tr.Params
	method := sc.t.p.ClientAuthFor(g)
	if m.auth != "" {
		method = m.auth
	}
	cl := sc.mainClient()
	if m.client != nil {
		cl = *m.client
		switch {
		case cl.public:
			method = profile.ClientAuthNone
		case method == profile.ClientAuthNone && cl.secret != "":
			// The grant needs no client authentication (Shopware's refresh as
			// "administration"), but another confidential client presents
			// its own credentials the way the token endpoint takes them.
			method = sc.t.p.Token.ClientAuth
			if method == profile.ClientAuthNone || method == "" {
				method = profile.ClientAuthBody
			}
		}
	}
	// Re-apply client authentication: BuildTokenRequest placed the main
	// client's credentials per the profile; replace them.
	declared := sc.t.p.Grants[g].Params
	if _, fixed := declared["client_id"]; !fixed || m.client != nil {
		delete(params, "client_id")
	}
	delete(params, "client_secret")
	tr.Header.Del("Authorization")
	if !m.noClientAuth {
		switch method {
		case profile.ClientAuthBasic:
			tr.Header.Set("Authorization", profile.BasicAuth(cl.id, cl.secret))
		case profile.ClientAuthBody:
			if _, ok := params["client_id"]; !ok {
				params["client_id"] = cl.id
			}
			if cl.secret != "" {
				params["client_secret"] = cl.secret
			}
		case profile.ClientAuthNone:
			if _, ok := params["client_id"]; !ok && cl.id != "" {
				params["client_id"] = cl.id
			}
		}
	} else if _, fixed := declared["client_id"]; !fixed {
		delete(params, "client_id")
	}
	for k, v := range m.extra {
		if v == "" {
			delete(params, k)
		} else {
			params[k] = v
		}
	}
	tr.Body, _ = profile.EncodeBody(sc.t.p.Token.Encoding, params)
	if m.rawCode != "" && sc.t.p.Token.Encoding == profile.EncodingForm {
		delete(params, "code")
		body, _ := profile.EncodeBody(profile.EncodingForm, params)
		tr.Body = append(body, []byte("&code="+m.rawCode)...)
		params["code"] = m.rawCode
	}
	if m.rawAppend != "" {
		tr.Body = append(append(tr.Body, '&'), m.rawAppend...)
	}
	if m.method != "" {
		tr.Method = m.method
	}
	if len(m.query) > 0 {
		tr.Path += "?" + m.query.Encode()
	}
	if tr.Method == http.MethodGet {
		q := url.Values{}
		for k, v := range params {
			q.Set(k, v)
		}
		tr.Path = sc.t.p.Token.Path + "?" + q.Encode()
		tr.Body = nil
		tr.Header.Del("Content-Type")
	}
	tr.Params = params
	return tr, nil
}

// sendToken sends a token request and makes its response the one Then steps check.
func (sc *scenario) sendToken(ctx context.Context, tr *profile.TokenRequest) (*Exchange, error) {
	ex, err := sc.send(ctx, tr.Method, tr.Path, tr.Header, tr.Body)
	sc.last = ex
	return ex, err
}

// tokenResponse is a decoded successful token response (RFC 6749 §5.1) or an
// implicit-grant fragment (§4.2.2).
type tokenResponse struct {
	ex       *Exchange
	fields   map[string]any // JSON values (numbers as json.Number); fragment values are strings
	fragment bool
	grant    string
}

func (t *tokenResponse) str(name string) string {
	s, _ := t.fields[name].(string)
	return s
}

// parseTokenResponse checks ex is a successful token response and decodes it.
func parseTokenResponse(ex *Exchange, grant string) (*tokenResponse, error) {
	if ex.Status != http.StatusOK {
		return nil, failf("want 200 with a token, got %s%s", ex.StatusText, bodyHint(ex))
	}
	fields, err := decodeJSONObject(ex.RespBody)
	if err != nil {
		return nil, failf("token response body is not a JSON object: %v%s", err, bodyHint(ex))
	}
	t := &tokenResponse{ex: ex, fields: fields, grant: grant}
	if t.str("access_token") == "" {
		return nil, failf("token response has no access_token string (RFC 6749 §5.1)%s", bodyHint(ex))
	}
	return t, nil
}

func decodeJSONObject(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, fmt.Errorf("null")
	}
	return m, nil
}

// bodyHint quotes the start of a response body for a failure message.
func bodyHint(ex *Exchange) string {
	if ex == nil || len(ex.RespBody) == 0 {
		return ""
	}
	s := string(ex.RespBody)
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return ": " + s
}

// isJSON reports whether a Content-Type is application/json or +json.
func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// rfcErrorCodes are RFC 6749 §5.2's error codes.
var rfcErrorCodes = map[string]bool{"invalid_request": true, "invalid_client": true, "invalid_grant": true,
	"unauthorized_client": true, "unsupported_grant_type": true, "invalid_scope": true}

// vendorError is an error body decoded per the profile's error format.
type vendorError struct {
	code   string // RFC code (rfc6749, ucommerce) or vendor code (shopware); "" for elasticpath
	status string // the status inside the body, where the format has one
	title  string // the title, where the format has one (shopware, elasticpath)
}

// parseError decodes an error body in the profile's format.
func parseError(p *profile.Profile, ex *Exchange) (vendorError, error) {
	m, err := decodeJSONObject(ex.RespBody)
	if err != nil {
		return vendorError{}, failf("error body is not JSON (profile error format %s): %v%s", p.Errors.Format, err, bodyHint(ex))
	}
	first := func() (map[string]any, error) {
		arr, ok := m["errors"].([]any)
		if !ok || len(arr) == 0 {
			return nil, failf(`error body has no non-empty "errors" array (profile error format %s)%s`, p.Errors.Format, bodyHint(ex))
		}
		e, ok := arr[0].(map[string]any)
		if !ok {
			return nil, failf(`error body "errors"[0] is not an object%s`, bodyHint(ex))
		}
		return e, nil
	}
	switch p.Errors.Format {
	case "ucommerce":
		e, err := first()
		if err != nil {
			return vendorError{}, err
		}
		code, ok := e["error"].(string)
		if !ok {
			return vendorError{}, failf(`Ucommerce error has no "error" string%s`, bodyHint(ex))
		}
		if d, present := e["error-description"]; present {
			if _, ok := d.(string); !ok && d != nil {
				return vendorError{}, failf(`Ucommerce "error-description" is not a string%s`, bodyHint(ex))
			}
		}
		return vendorError{code: code}, nil
	case "shopware":
		e, err := first()
		if err != nil {
			return vendorError{}, err
		}
		code, ok1 := e["code"].(string)
		status, ok2 := e["status"].(string)
		_, ok3 := e["title"].(string)
		if !ok1 || !ok2 || !ok3 {
			return vendorError{}, failf(`Shopware error needs "code", "status" and "title" strings%s`, bodyHint(ex))
		}
		return vendorError{code: code, status: status}, nil
	case "elasticpath":
		e, err := first()
		if err != nil {
			return vendorError{}, err
		}
		title, ok := e["title"].(string)
		if !ok {
			return vendorError{}, failf(`Elastic Path error has no "title" string%s`, bodyHint(ex))
		}
		var status string
		switch s := e["status"].(type) {
		case string:
			status = s
		case json.Number:
			status = s.String()
		default:
			return vendorError{}, failf(`Elastic Path error has no "status"%s`, bodyHint(ex))
		}
		return vendorError{status: status, title: title}, nil
	default: // rfc6749 §5.2
		if !isJSON(ex.Header("Content-Type")) {
			return vendorError{}, failf("error response Content-Type is %q, want application/json (RFC 6749 §5.2)", ex.Header("Content-Type"))
		}
		code, ok := m["error"].(string)
		if !ok {
			return vendorError{}, failf(`error body has no "error" string (RFC 6749 §5.2)%s`, bodyHint(ex))
		}
		if d, present := m["error_description"]; present {
			ds, ok := d.(string)
			if !ok {
				return vendorError{}, failf("error_description is not a string (RFC 6749 §5.2)")
			}
			for _, r := range ds {
				if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
					return vendorError{}, failf("error_description has character %q outside %%x20-21 / %%x23-5B / %%x5D-7E (RFC 6749 §5.2)", r)
				}
			}
		}
		return vendorError{code: code}, nil
	}
}

// checkRefused asserts ex is an error response: a 4xx status, no access
// token, an error body in the profile's format.
func checkRefused(p *profile.Profile, ex *Exchange) (vendorError, error) {
	if ex.Status < 400 || ex.Status > 499 {
		return vendorError{}, failf("want the request refused with a 4xx error, got %s%s", ex.StatusText, bodyHint(ex))
	}
	if m, err := decodeJSONObject(ex.RespBody); err == nil {
		if s, _ := m["access_token"].(string); s != "" {
			return vendorError{}, failf("the error response carries an access_token")
		}
	}
	ve, err := parseError(p, ex)
	if err != nil {
		return ve, err
	}
	if ve.status != "" && ve.status != strconv.Itoa(ex.Status) {
		return ve, failf("error body says status %q but the HTTP status is %d", ve.status, ex.Status)
	}
	return ve, nil
}

// allowedStatuses returns the statuses the profile allows for an RFC error code.
func allowedStatuses(p *profile.Profile, code string) []int {
	if s := p.Errors.Status[code]; len(s) > 0 {
		return s
	}
	if code == "invalid_client" {
		return []int{400, 401} // RFC 6749 §5.2: 401 MAY (MUST via the Authorization header)
	}
	return []int{400}
}

// checkErrorCode asserts ex is refused with one of codes ("a|b"): the status is
// one the profile allows for it and the body names it in the profile's format
// (RFC code, or the vendor code mapped in errors.codes). Free-text descriptions
// are never compared.
func checkErrorCode(p *profile.Profile, ex *Exchange, codes string) error {
	ve, err := checkRefused(p, ex)
	if err != nil {
		return err
	}
	want := strings.Split(codes, "|")
	var statuses []string
	okStatus := false
	for _, c := range want {
		for _, s := range allowedStatuses(p, c) {
			statuses = append(statuses, strconv.Itoa(s))
			if s == ex.Status {
				okStatus = true
			}
		}
	}
	if !okStatus {
		return failf("want HTTP status %s for %s, got %s%s", strings.Join(dedupe(statuses), " or "), codes, ex.StatusText, bodyHint(ex))
	}
	switch p.Errors.Format {
	case "elasticpath":
		// No error code in the body: the status is the check, and the title
		// where the profile documents one for it.
		if want, ok := p.Errors.Titles[ex.Status]; ok && ve.title != want {
			return failf("want error title %q for HTTP %d (errors.titles), got %q%s", want, ex.Status, ve.title, bodyHint(ex))
		}
		return nil
	case "shopware":
		var vendor []string
		for _, c := range want {
			if v, ok := p.Errors.Codes[c]; ok {
				vendor = append(vendor, strings.Split(v, ",")...)
			}
		}
		if len(vendor) == 0 {
			return nil
		}
		for _, v := range vendor {
			if strings.TrimSpace(v) == ve.code {
				return nil
			}
		}
		return failf("want error code %s (%s), got %q%s", strings.Join(vendor, " or "), codes, ve.code, bodyHint(ex))
	}
	// errors.codes replaces an RFC code by the code(s) the vendor documents
	// for it instead.
	var accepted []string
	mapped := false
	for _, c := range want {
		v, ok := p.Errors.Codes[c]
		if !ok {
			accepted = append(accepted, c)
			continue
		}
		mapped = true
		for _, x := range strings.Split(v, ",") {
			accepted = append(accepted, strings.TrimSpace(x))
		}
	}
	for _, c := range accepted {
		if ve.code == c {
			return nil
		}
	}
	if mapped {
		return failf("want error %s (%s, as errors.codes maps it), got %q%s", strings.Join(accepted, " or "), codes, ve.code, bodyHint(ex))
	}
	return failf("want error %s, got %q%s", strings.Join(accepted, " or "), ve.code, bodyHint(ex))
}

func dedupe(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
