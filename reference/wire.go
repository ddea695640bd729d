package reference

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxBody bounds every request body the server reads.
const maxBody = 64 << 10

// oauthError is an error the server answers with. code is the RFC 6749 §5.2 (or,
// on protected resources, RFC 6750 §3.1) error code; each dialect renders it in
// its own body format.
type oauthError struct {
	code   string
	desc   string
	status int    // 0: the dialect's default for code
	param  string // the missing or bad parameter, for Shopware's detail
	reason string // a finer cause some dialects distinguish (see reason* constants)
}

func (e *oauthError) Error() string { return e.code + ": " + e.desc }

// Finer causes that Shopware's error codes distinguish.
const (
	reasonUserCredentials = "user-credentials"
	reasonRefreshInvalid  = "refresh-invalid"
	reasonNoToken         = "no-token" // RFC 6750 §3.1: no credentials, no error code
)

func errInvalidRequest(desc, param string) *oauthError {
	return &oauthError{code: "invalid_request", desc: desc, param: param}
}
func errMissing(param string) *oauthError {
	return &oauthError{code: "invalid_request", desc: "missing required parameter " + param, param: param}
}
func errInvalidClient(desc string) *oauthError {
	return &oauthError{code: "invalid_client", desc: desc, status: http.StatusUnauthorized}
}
func errInvalidGrant(desc string) *oauthError {
	return &oauthError{code: "invalid_grant", desc: desc}
}
func errUnsupportedGrant(grant string) *oauthError {
	return &oauthError{code: "unsupported_grant_type", desc: fmt.Sprintf("grant type %q is not supported", grant), param: "grant_type"}
}

// tokenRequest is a parsed token endpoint request (RFC 6749 §3.2).
type tokenRequest struct {
	r      *http.Request
	params map[string]string
	// basic holds HTTP Basic credentials (RFC 6749 §2.3.1), when sent.
	basic              bool
	basicID, basicPass string
	hasAuthHeader      bool
	query              url.Values
	jsonBody           bool
	grant              string
}

// knownParams are the parameters RFC 6749 and the vendors define for the token
// endpoint; the unknown-params-fatal defect refuses anything else.
var knownParams = map[string]bool{
	"grant_type": true, "code": true, "redirect_uri": true, "client_id": true, "client_secret": true,
	"refresh_token": true, "username": true, "password": true, "scope": true, "scopes": true,
	"code_verifier": true,
}

// bodyRules say how a dialect's token endpoint reads its body.
type bodyRules struct {
	// json: an application/json body is decoded as well as a form body.
	json bool
	// lastWins: a repeated form parameter takes its last value, as PHP's body
	// parser does (Shopware), instead of being refused with invalid_request
	// (RFC 6749 §3.2).
	lastWins bool
}

// readTokenRequest parses the body (form, or JSON where the dialect allows it),
// the Basic header and the query. Repeated form parameters are invalid_request
// (RFC 6749 §3.2) unless the dialect's rules say the last one wins.
func (s *Server) readTokenRequest(w http.ResponseWriter, r *http.Request, rules bodyRules) (*tokenRequest, *oauthError) {
	tr := &tokenRequest{r: r, params: make(map[string]string, 8)}
	if r.URL.RawQuery != "" {
		tr.query = r.URL.Query()
	}
	body, err := readBody(w, r)
	if err != nil {
		return tr, errInvalidRequest("request body unreadable or larger than 64 KiB", "")
	}
	ctype := r.Header.Get("Content-Type")
	if ctype != "application/x-www-form-urlencoded" && ctype != "application/json" {
		ctype, _, _ = mime.ParseMediaType(ctype)
	}
	switch {
	case r.Method == http.MethodGet:
		// Only reached with the token-get-allowed defect: parameters come from the query.
		for k, v := range tr.query {
			tr.params[k] = v[0]
		}
	case ctype == "application/json" && rules.json:
		tr.jsonBody = true
		var obj map[string]any
		if err := json.Unmarshal(body, &obj); err != nil {
			return tr, errInvalidRequest("the JSON payload is malformed", "")
		}
		for k, v := range obj {
			switch x := v.(type) {
			case string:
				tr.params[k] = x
			case float64:
				tr.params[k] = strconv.FormatFloat(x, 'f', -1, 64)
			case bool:
				tr.params[k] = strconv.FormatBool(x)
			case []any: // Shopware accepts scope arrays
				parts := make([]string, 0, len(x))
				for _, p := range x {
					parts = append(parts, fmt.Sprint(p))
				}
				tr.params[k] = strings.Join(parts, " ")
			}
		}
	default:
		// RFC 6749 §4.1.3: application/x-www-form-urlencoded. Anything else
		// leaves the body unparsed, and grant_type missing.
		if ctype == "application/x-www-form-urlencoded" || ctype == "" {
			vals, err := url.ParseQuery(string(body))
			if err != nil {
				return tr, errInvalidRequest("the form body is malformed", "")
			}
			for k, v := range vals {
				switch {
				case len(v) > 1 && rules.lastWins:
					tr.params[k] = v[len(v)-1]
					continue
				case len(v) > 1 && !s.has(DuplicateParams):
					return tr, errInvalidRequest("parameter "+k+" is repeated", k)
				}
				tr.params[k] = v[0]
			}
		}
	}
	if s.has(UnknownParamsFatal) {
		for k := range tr.params {
			if !knownParams[k] {
				return tr, errInvalidRequest("unknown parameter "+k, k)
			}
		}
	}
	if h := r.Header.Get("Authorization"); h != "" {
		tr.hasAuthHeader = true
		if id, pw, ok := parseBasic(h); ok {
			tr.basic, tr.basicID, tr.basicPass = true, id, pw
		}
	}
	tr.grant = tr.params["grant_type"]
	return tr, nil
}

// readBody reads a request body of at most maxBody bytes, in one allocation
// when the length is announced.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.ContentLength > maxBody {
		return nil, errors.New("request body too large")
	}
	if r.ContentLength > 0 {
		b := make([]byte, r.ContentLength)
		_, err := io.ReadFull(r.Body, b)
		return b, err
	}
	return io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
}

// parseBasic decodes "Basic base64(urlenc(id):urlenc(secret))" (RFC 6749 §2.3.1,
// RFC 7617). The scheme is case-insensitive.
func parseBasic(h string) (id, secret string, ok bool) {
	scheme, rest, found := strings.Cut(h, " ")
	if !found || !strings.EqualFold(scheme, "Basic") {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rest))
	if err != nil {
		return "", "", false
	}
	id, secret, ok = strings.Cut(string(raw), ":")
	if !ok {
		return "", "", false
	}
	if u, err := url.QueryUnescape(id); err == nil {
		id = u
	}
	if u, err := url.QueryUnescape(secret); err == nil {
		secret = u
	}
	return id, secret, true
}

// secretEqual compares secrets in constant time.
func secretEqual(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// setNoStore sets RFC 6749 §5.1's cache headers on a response carrying tokens.
func (s *Server) setNoStore(w http.ResponseWriter) {
	if s.has(NoCacheHeaders) {
		return
	}
	h := w.Header()
	h["Cache-Control"] = noStoreValue
	h["Pragma"] = noCacheValue
}

// Header values shared by every token response; never modified.
var (
	noStoreValue  = []string{"no-store"}
	noCacheValue  = []string{"no-cache"}
	jsonTypeValue = []string{"application/json; charset=utf-8"}
)

// writeJSON writes v as the response body with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error encoding response", http.StatusInternalServerError)
		return
	}
	w.Header()["Content-Type"] = []string{"application/json; charset=utf-8"}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeToken writes a successful token response (RFC 6749 §5.1) in the shape
// body, honouring the response defects.
func (s *Server) writeToken(w http.ResponseWriter, status int, body any) {
	b, err := json.Marshal(body)
	if err != nil {
		http.Error(w, "internal error encoding token", http.StatusInternalServerError)
		return
	}
	s.writeTokenBytes(w, status, b)
}

// writeTokenBytes writes an encoded token response body.
func (s *Server) writeTokenBytes(w http.ResponseWriter, status int, b []byte) {
	s.setNoStore(w)
	ct := jsonTypeValue
	if s.has(WrongContentType) {
		ct = []string{"text/plain; charset=utf-8"}
	}
	w.Header()["Content-Type"] = ct
	if s.has(MalformedJSON) {
		b = b[:len(b)/2]
	}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// expiresIn renders expires_in, as a number or (expires-in-string defect) a string.
func (s *Server) expiresIn(secs int64) any {
	if s.has(ExpiresInString) {
		return strconv.FormatInt(secs, 10)
	}
	return secs
}

// lifetimes returns what expires_in says and how long the token really lives,
// honouring wrong-lifetime and expires-in-mismatch.
func (s *Server) lifetimes(ttl time.Duration) (said int64, real time.Duration) {
	if s.has(WrongLifetime) {
		ttl *= 2
	}
	real = ttl
	if s.has(ExpiresInMismatch) {
		real = 2 * ttl
	}
	return int64(ttl / time.Second), real
}

// tokenType returns the literal a dialect documents, or the wrong case under the
// token-type-case defect.
func (s *Server) tokenType(documented string) string {
	if !s.has(TokenTypeCase) {
		return documented
	}
	if documented == "bearer" {
		return "Bearer"
	}
	return "bearer"
}

// bearerToken extracts the token of an "Authorization: Bearer" header (RFC 6750
// §2.1). The scheme is case-insensitive (RFC 7235 §2.1) unless the
// bearer-scheme-case defect is on.
func (s *Server) bearerToken(r *http.Request) (string, *oauthError) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", &oauthError{code: "", desc: "missing Authorization header", status: http.StatusUnauthorized, reason: reasonNoToken}
	}
	scheme, tok, ok := strings.Cut(h, " ")
	match := strings.EqualFold(scheme, "Bearer")
	if s.has(BearerLowercase) {
		match = scheme == "Bearer"
	}
	if !match {
		return "", &oauthError{code: "", desc: "the Authorization header does not use the Bearer scheme", status: http.StatusUnauthorized, reason: reasonNoToken}
	}
	tok = strings.TrimSpace(tok)
	if !ok || tok == "" {
		return "", &oauthError{code: "invalid_request", desc: "missing token in Authorization header", status: http.StatusBadRequest}
	}
	return tok, nil
}

// errTokenInvalid is RFC 6750 §3.1's invalid_token.
func errTokenInvalid(desc string) *oauthError {
	return &oauthError{code: "invalid_token", desc: desc, status: http.StatusUnauthorized}
}

// errorStatus returns the HTTP status for e, honouring error-status-200.
func (s *Server) errorStatus(e *oauthError, def int) int {
	if s.has(ErrorStatus200) {
		return http.StatusOK
	}
	if e.status != 0 {
		return e.status
	}
	return def
}

// writePlainError is the error-format-wrong defect's body.
func writePlainError(w http.ResponseWriter, status int, e *oauthError) {
	w.Header()["Content-Type"] = []string{"text/plain; charset=utf-8"}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, "error: "+e.desc+"\n")
}
