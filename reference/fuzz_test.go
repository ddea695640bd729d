package reference

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// The fuzz targets' invariants, for any request: the server does not panic,
// answers no 5xx (a 5xx is never a correct refusal of a malformed request), and
// its answer stays small: a bounded multiple of what was sent, so that nothing
// a client sends is amplified without bound. `make fuzz` runs each briefly;
// see README "Fuzzing" for long runs.

// fuzzMethods are the methods a fuzzed request may use (picked by a byte, so
// that every input is a request net/http could deliver).
var fuzzMethods = []string{http.MethodPost, http.MethodGet, http.MethodPut, http.MethodHead, http.MethodOptions, http.MethodDelete, http.MethodPatch}

// newFuzzServer is a server with small stores, for many fuzz iterations.
func newFuzzServer(f *testing.F) *Server {
	f.Helper()
	srv, err := New(DemoConfig(), WithPurgeInterval(0), WithMaxEntries(1<<12))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(srv.Close)
	return srv
}

// fuzzRequest is one fuzzed request.
type fuzzRequest struct {
	method      byte
	path, query string
	ctype, auth string
	body        []byte
}

// serveFuzzed sends fr to srv and checks the invariants.
func serveFuzzed(t *testing.T, srv *Server, fr fuzzRequest) {
	target := fr.path
	if fr.query != "" {
		target += "?" + fr.query
	}
	u, err := url.ParseRequestURI(target)
	if err != nil {
		t.Skip("not a request target")
	}
	method := fuzzMethods[int(fr.method)%len(fuzzMethods)]
	r, err := http.NewRequest(method, u.String(), bytes.NewReader(fr.body))
	if err != nil {
		t.Skip("not a request")
	}
	if fr.ctype != "" {
		r.Header.Set("Content-Type", fr.ctype)
	}
	if fr.auth != "" {
		r.Header.Set("Authorization", fr.auth)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, r)
	if rec.Code >= 500 {
		t.Fatalf("%s %s answered %d: %s", method, target, rec.Code, truncate(rec.Body.String(), 512))
	}
	sent := len(target) + len(fr.ctype) + len(fr.auth) + len(fr.body)
	if limit := 8<<10 + 8*sent; rec.Body.Len() > limit {
		t.Fatalf("%s %s: a %d-byte answer to %d bytes sent (limit %d)", method, target, rec.Body.Len(), sent, limit)
	}
	headerBytes := 0
	for k, vs := range rec.Header() {
		for _, v := range vs {
			headerBytes += len(k) + len(v)
		}
	}
	if limit := 4<<10 + 8*sent; headerBytes > limit {
		t.Fatalf("%s %s: %d bytes of response headers (limit %d)", method, target, headerBytes, limit)
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// addTokenSeeds seeds a token endpoint's corpus with well-formed and broken
// form and JSON requests.
func addTokenSeeds(f *testing.F, auth string, forms ...string) {
	for _, form := range forms {
		f.Add(byte(0), "", "application/x-www-form-urlencoded", auth, []byte(form))
		f.Add(byte(0), "", "application/x-www-form-urlencoded; charset=utf-8", "", []byte(form+"&"+form))
	}
	f.Add(byte(0), "", "application/json", auth, []byte(`{"grant_type":"client_credentials","scope":["write",1,true,null]}`))
	f.Add(byte(0), "", "application/json", "", []byte(`{"grant_type":`))
	f.Add(byte(0), "", "application/json", "", []byte(`[1,2,3]`))
	f.Add(byte(0), "", "text/plain", "Basic Og==", []byte("grant_type=password"))
	f.Add(byte(0), "", "multipart/form-data; boundary=x", "Bearer x", []byte("--x--"))
	f.Add(byte(0), "", "application/x-www-form-urlencoded", "Basic %%%", []byte("grant_type=%zz&code=%"))
	f.Add(byte(1), "grant_type=client_credentials&client_id=a&client_secret=b", "", "", []byte(nil))
	f.Add(byte(3), "", "", "", []byte("grant_type=client_credentials"))
}

func fuzzTokenEndpoint(f *testing.F, path string) {
	srv := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, method byte, query, ctype, auth string, body []byte) {
		serveFuzzed(t, srv, fuzzRequest{method: method, path: path, query: query, ctype: ctype, auth: auth, body: body})
	})
}

func FuzzShopwareToken(f *testing.F) {
	addTokenSeeds(f, "Basic "+b64(swKey+":"+swSecret),
		"grant_type=client_credentials&client_id="+swKey+"&client_secret="+swSecret,
		"grant_type=password&client_id=administration&username=admin&password=shopware&scope=write",
		"grant_type=refresh_token&client_id=administration&refresh_token=def50200abc")
	f.Add(byte(0), "", "application/json", "", []byte(`{"grant_type":"password","client_id":"administration","username":"admin","password":"shopware","scopes":"write"}`))
	fuzzTokenEndpoint(f, "/api/oauth/token")
}

func FuzzElasticPathToken(f *testing.F) {
	addTokenSeeds(f, "",
		"grant_type=client_credentials&client_id="+epID+"&client_secret="+epSecret,
		"grant_type=implicit&client_id="+epID)
	fuzzTokenEndpoint(f, "/oauth/access_token")
}

func FuzzUcommerceToken(f *testing.F) {
	addTokenSeeds(f, "Basic "+b64(ucID+":"+ucSecret),
		"grant_type=authorization_code&code=abc%2Bdef&redirect_uri="+url.QueryEscape(ucRedirect),
		"grant_type=refresh_token&refresh_token=eyJ.eyJ.sig")
	fuzzTokenEndpoint(f, "/api/v1/oauth/token")
}

func FuzzRFC6749Token(f *testing.F) {
	addTokenSeeds(f, "Basic "+b64(rfcID+":"+rfcSecret),
		"grant_type=client_credentials&scope=read",
		"grant_type=password&username=alice&password=x",
		"grant_type=authorization_code&code=c&redirect_uri="+url.QueryEscape(rfcURI)+"&code_verifier=v",
		"grant_type=refresh_token&refresh_token=r&scope=read+write",
		"grant_type=client_credentials&client_id="+rfcPublic)
	fuzzTokenEndpoint(f, "/oauth2/token")
}

// FuzzAuthorize fuzzes the authorization endpoints (RFC 6749's and
// Ucommerce's connect): query parameters, method and headers.
func FuzzAuthorize(f *testing.F) {
	srv := newFuzzServer(f)
	paths := []string{"/oauth2/authorize", "/api/v1/oauth/connect"}
	rfc := url.Values{"client_id": {rfcID}, "redirect_uri": {rfcURI}, "response_type": {"code"}, "state": {"s"}}
	pub := url.Values{"client_id": {rfcPublic}, "redirect_uri": {rfcPubURI}, "response_type": {"code"}, "code_challenge": {strings.Repeat("a", 43)}, "code_challenge_method": {"S256"}}
	uc := url.Values{"client_id": {ucID}, "redirect_uri": {ucRedirect}, "response_type": {"code"}}
	for _, q := range []string{rfc.Encode(), pub.Encode(), rfc.Encode() + "&response_type=token", rfc.Encode() + "&username=alice&password=bad", "client_id=%zz", "redirect_uri=javascript:alert(1)&client_id=" + rfcID} {
		f.Add(byte(0), byte(1), q, "", "")
	}
	f.Add(byte(1), byte(1), uc.Encode(), "", "")
	f.Add(byte(1), byte(1), uc.Encode()+"&response_type=token&state=%00", "", "")
	f.Add(byte(0), byte(0), rfc.Encode(), "application/x-www-form-urlencoded", "Basic x")
	f.Fuzz(func(t *testing.T, which, method byte, query, ctype, body string) {
		m := method % byte(len(fuzzMethods))
		serveFuzzed(t, srv, fuzzRequest{method: m, path: paths[int(which)%len(paths)], query: query, ctype: ctype, body: []byte(body)})
	})
}

// FuzzConfig fuzzes the --config loader: any bytes are a configuration or a
// refusal naming a line, never a panic.
func FuzzConfig(f *testing.F) {
	f.Add(DemoYAML())
	for _, s := range []string{
		"", "---\n", "shopware:\n  access_ttl: 5m\n", "shopware:\n  access_ttl: 5m\n---\nx: 1\n",
		"ucommerce:\n  stores:\n    - {client_id: x, client_secret: y, redirect_uris: [https://a]}\n    - {client_id: x}\n",
		"rfc6749:\n  clients:\n    - &c {client_id: c, grants: [device_code]}\n    - *c\n",
		"a: &a [*a]\n", "ucommerce: [\n", "elasticpath:\n  access_ttl: -1s\n", "rfc6749: {code_ttl: 9999999999h}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parseConfig(data)
		if err != nil {
			if msg := err.Error(); msg == "" {
				t.Fatal("an empty error message")
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("parseConfig accepted a configuration that does not validate: %v", err)
		}
		if _, err := New(c, WithPurgeInterval(0)); err != nil {
			t.Fatalf("an accepted configuration does not start a server: %v", err)
		}
	})
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
