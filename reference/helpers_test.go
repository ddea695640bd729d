package reference

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// testServer is a reference server on a loopback httptest listener.
type testServer struct {
	*Server
	URL    string
	client *http.Client
	t      *testing.T
}

func newTestServer(t *testing.T, defects ...Defect) *testServer {
	t.Helper()
	return newTestServerWith(t, nil, defects...)
}

// newTestServerWith is newTestServer with more options (a login or signing mode).
func newTestServerWith(t *testing.T, opts []Option, defects ...Defect) *testServer {
	t.Helper()
	return newTestServerConfig(t, DemoConfig(), opts, defects...)
}

// newTestServerConfig is newTestServerWith with cfg instead of the demo
// configuration (a mode set in the configuration, such as RequirePKCE).
func newTestServerConfig(t *testing.T, cfg Config, opts []Option, defects ...Defect) *testServer {
	t.Helper()
	opts = append([]Option{WithTestClock(), WithDefects(defects...), WithPurgeInterval(0)}, opts...)
	srv, err := New(cfg, opts...)
	require.NoError(t, err)
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { hs.Close(); srv.Close() })
	c := hs.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.Timeout = 10 * time.Second
	return &testServer{Server: srv, URL: hs.URL, client: c, t: t}
}

// reply is a response with its body read.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.body, &m), "body is not a JSON object: %s", r.body)
	return m
}

// req describes one request.
type req struct {
	method string
	path   string
	header map[string]string
	form   url.Values
	json   any
	raw    string
}

func (ts *testServer) do(r req) reply {
	ts.t.Helper()
	resp, err := ts.client.Do(ts.request(r))
	require.NoError(ts.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	require.NoError(ts.t, err)
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

// request builds the HTTP request r describes.
func (ts *testServer) request(r req) *http.Request {
	ts.t.Helper()
	var body io.Reader
	ctype := ""
	switch {
	case r.form != nil:
		body, ctype = strings.NewReader(r.form.Encode()), "application/x-www-form-urlencoded"
	case r.json != nil:
		b, err := json.Marshal(r.json)
		require.NoError(ts.t, err)
		body, ctype = strings.NewReader(string(b)), "application/json"
	case r.raw != "":
		body = strings.NewReader(r.raw)
	}
	method := r.method
	if method == "" {
		method = http.MethodPost
	}
	hr, err := http.NewRequest(method, ts.URL+r.path, body)
	require.NoError(ts.t, err)
	if ctype != "" {
		hr.Header.Set("Content-Type", ctype)
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	return hr
}

func (ts *testServer) advance(d time.Duration) {
	ts.t.Helper()
	rp := ts.do(req{path: "/_test/clock", json: map[string]string{"advance": d.String()}})
	require.Equal(ts.t, http.StatusOK, rp.status, string(rp.body))
}

func basic(id, secret string) map[string]string {
	return map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))}
}

func bearer(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }

// jwtClaims decodes a JWT's payload without verifying it.
func jwtClaims(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	require.Len(t, parts, 3, "not a compact JWT: %q", tok)
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	return m
}

// Demo credentials, as in demo.yaml.
const (
	ucID       = "uc-main-store"
	ucSecret   = "uc-main-secret-5d1f0c"
	ucRedirect = "https://client.example.test/callback"
	ucOtherID  = "uc-outlet-store"
	ucOtherSec = "uc-outlet-secret-90ab2e"
	swKey      = "SWIADEMOINTEGRATION0000001"
	swSecret   = "shopware-demo-integration-secret-2b7c"
	epID       = "ep-demo-client-id"
	epSecret   = "ep-demo-client-secret"
	rfcID      = "conf-client"
	rfcSecret  = "conf-secret-8c2d41"
	rfcURI     = "https://client.example.test/callback"
	rfcOtherID = "conf-client-2"
	rfcOtherSc = "conf-secret-2-77e0a9"
	rfcPublic  = "public-client"
	rfcPubURI  = "https://public.example.test/callback"
)

// ucConnect runs the connect step and returns the raw (still-encoded) code
// value from Location.
func (ts *testServer) ucConnect(clientID, redirect string) (rawCode string, rp reply) {
	ts.t.Helper()
	q := url.Values{"client_id": {clientID}, "redirect_uri": {redirect}, "response_type": {"code"}}
	rp = ts.do(req{method: http.MethodGet, path: "/api/v1/oauth/connect?" + q.Encode()})
	loc := rp.header.Get("Location")
	if i := strings.Index(loc, "code="); i >= 0 {
		rawCode = loc[i+5:]
		if j := strings.IndexByte(rawCode, '&'); j >= 0 {
			rawCode = rawCode[:j]
		}
	}
	return rawCode, rp
}

// ucCode returns a fresh, decoded code for the main store.
func (ts *testServer) ucCode() string {
	ts.t.Helper()
	raw, rp := ts.ucConnect(ucID, ucRedirect)
	require.Equal(ts.t, http.StatusFound, rp.status, string(rp.body))
	code, err := url.QueryUnescape(raw)
	require.NoError(ts.t, err)
	return code
}

func (ts *testServer) ucExchange(code string) reply {
	ts.t.Helper()
	return ts.do(req{path: "/api/v1/oauth/token", header: basic(ucID, ucSecret), form: url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {ucRedirect},
	}})
}

func (ts *testServer) swPassword() map[string]any {
	ts.t.Helper()
	rp := ts.do(req{path: "/api/oauth/token", json: map[string]string{
		"grant_type": "password", "client_id": "administration", "username": "admin", "password": "shopware", "scopes": "write",
	}})
	require.Equal(ts.t, http.StatusOK, rp.status, string(rp.body))
	return rp.json(ts.t)
}

func (ts *testServer) epToken(grant string) string {
	ts.t.Helper()
	f := url.Values{"grant_type": {grant}, "client_id": {epID}}
	if grant == "client_credentials" {
		f.Set("client_secret", epSecret)
	}
	rp := ts.do(req{path: "/oauth/access_token", form: f})
	require.Equal(ts.t, http.StatusOK, rp.status, string(rp.body))
	return rp.json(ts.t)["access_token"].(string)
}

func (ts *testServer) rfcCC() map[string]any {
	ts.t.Helper()
	rp := ts.do(req{path: "/oauth2/token", header: basic(rfcID, rfcSecret), form: url.Values{"grant_type": {"client_credentials"}}})
	require.Equal(ts.t, http.StatusOK, rp.status, string(rp.body))
	return rp.json(ts.t)
}

// introspect asks the RFC 6749 dialect's RFC 7662 endpoint about tok, as the
// second client (a resource server may introspect any token).
func (ts *testServer) introspect(tok string) reply {
	ts.t.Helper()
	return ts.do(req{path: "/oauth2/introspect", header: basic(rfcOtherID, rfcOtherSc), form: url.Values{"token": {tok}}})
}

// rfcCode runs the authorization request and returns the code.
func (ts *testServer) rfcCode(extra url.Values) string {
	ts.t.Helper()
	q := url.Values{"client_id": {rfcID}, "redirect_uri": {rfcURI}, "response_type": {"code"}, "state": {"s1"}}
	for k, v := range extra {
		q[k] = v
	}
	rp := ts.do(req{method: http.MethodGet, path: "/oauth2/authorize?" + q.Encode()})
	require.Equal(ts.t, http.StatusFound, rp.status, string(rp.body))
	loc, err := url.Parse(rp.header.Get("Location"))
	require.NoError(ts.t, err)
	code := loc.Query().Get("code")
	require.NotEmpty(ts.t, code, "no code in %s", loc)
	return code
}

func (ts *testServer) rfcExchange(code string, extra url.Values) reply {
	ts.t.Helper()
	f := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {rfcURI}}
	for k, v := range extra {
		f[k] = v
	}
	return ts.do(req{path: "/oauth2/token", header: basic(rfcID, rfcSecret), form: f})
}

func newLoopback(t *testing.T, h http.Handler) *httptest.Server {
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	return hs
}
