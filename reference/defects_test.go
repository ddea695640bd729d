package reference

import (
	"bufio"
	"bytes"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// ruleProbe checks one rule over HTTP and reports whether it holds.
type ruleProbe func(t *testing.T, ts *testServer) bool

// defectProbes maps every defect to a probe of the rule it breaks. A probe must
// hold on a clean server and fail with its defect switched on.
var defectProbes = map[Defect]ruleProbe{
	ConsentSkipped:         probeConsentAsked,
	CSRFUnchecked:          probeCSRFChecked,
	LoginBypass:            probeNoLoginBypass,
	SessionFixation:        probeSessionRotated,
	MetadataIssuerMismatch: probeIssuerIdentical,
	MetadataDeadEndpoint:   probeEndpointsServed,
	MetadataFieldsMissing:  probeMetadataRequiredFields,
	KidUnpublished:         probeKidPublished,
	AlgNoneAccepted:        probeAlgNoneRefused,
	HS256PublicKeyAccepted: probeHS256PublicKeyRefused,
	CodeReusable: func(t *testing.T, ts *testServer) bool {
		code := ts.ucCode()
		ts.ucExchange(code)
		return ts.ucExchange(code).status != 200
	},
	CodeStoreNotAtomic: func(t *testing.T, ts *testServer) bool {
		return raceHolds(t, ts, func() req {
			return req{path: "/api/v1/oauth/token", header: basic(ucID, ucSecret), form: url.Values{
				"grant_type": {"authorization_code"}, "code": {ts.ucCode()}, "redirect_uri": {ucRedirect},
			}}
		})
	},
	CodeNeverExpires: func(t *testing.T, ts *testServer) bool {
		code := ts.ucCode()
		ts.advance(61 * time.Second)
		return ts.ucExchange(code).status != 200
	},
	CodeNotEncoded: func(t *testing.T, ts *testServer) bool {
		raw, _ := ts.ucConnect(ucID, ucRedirect)
		return strings.Contains(raw, "%2B") && !strings.ContainsAny(raw, "+/=")
	},
	CodeAcceptsEncoded: func(t *testing.T, ts *testServer) bool {
		raw, _ := ts.ucConnect(ucID, ucRedirect)
		return ts.ucExchange(raw).status != 200
	},
	CodeNotBoundClient: func(t *testing.T, ts *testServer) bool {
		rp := ts.do(req{path: "/api/v1/oauth/token", header: basic(ucOtherID, ucOtherSec), form: url.Values{"grant_type": {"authorization_code"}, "code": {ts.ucCode()}, "redirect_uri": {ucRedirect}}})
		return rp.status != 200
	},
	CodeNotBoundURI: func(t *testing.T, ts *testServer) bool {
		rp := ts.do(req{path: "/api/v1/oauth/token", header: basic(ucID, ucSecret), form: url.Values{"grant_type": {"authorization_code"}, "code": {ts.ucCode()}, "redirect_uri": {"http://127.0.0.1:9/callback"}}})
		return rp.status != 200
	},
	RedirectPrefixMatch: func(t *testing.T, ts *testServer) bool {
		_, rp := ts.ucConnect(ucID, ucRedirect+"/extra")
		return rp.status != http.StatusFound
	},
	RedirectCaseFold: func(t *testing.T, ts *testServer) bool {
		_, rp := ts.ucConnect(ucID, strings.ToUpper(ucRedirect))
		return rp.status != http.StatusFound
	},
	RedirectOnBadURI: func(t *testing.T, ts *testServer) bool {
		_, rp := ts.ucConnect(ucID, "https://evil.example.test/cb")
		return rp.header.Get("Location") == ""
	},
	PKCENotChecked: func(t *testing.T, ts *testServer) bool {
		code := ts.rfcCode(url.Values{"code_challenge": {s256(verifier)}, "code_challenge_method": {"S256"}})
		return ts.rfcExchange(code, url.Values{"code_verifier": {verifier + "x"}}).status != 200
	},
	PKCEDowngrade: func(t *testing.T, ts *testServer) bool {
		return ts.rfcExchange(ts.rfcCode(nil), url.Values{"code_verifier": {verifier}}).status != 200
	},
	PKCEPlainAccepted: func(t *testing.T, ts *testServer) bool {
		q := url.Values{"client_id": {rfcID}, "redirect_uri": {rfcURI}, "response_type": {"code"}, "code_challenge": {"abc"}, "code_challenge_method": {"foo"}}
		rp := ts.do(req{method: "GET", path: "/oauth2/authorize?" + q.Encode()})
		return strings.Contains(rp.header.Get("Location"), "error=invalid_request")
	},
	ReplayNoRevoke: func(t *testing.T, ts *testServer) bool {
		code := ts.rfcCode(nil)
		access := ts.rfcExchange(code, nil).json(t)["access_token"].(string)
		ts.rfcExchange(code, nil)
		return ts.do(req{method: "GET", path: "/oauth2/resource", header: bearer(access)}).status == 401
	},
	ImplicitInQuery: func(t *testing.T, ts *testServer) bool {
		q := url.Values{"client_id": {rfcID}, "redirect_uri": {rfcURI}, "response_type": {"token"}}
		loc := ts.do(req{method: "GET", path: "/oauth2/authorize?" + q.Encode()}).header.Get("Location")
		before, after, _ := strings.Cut(loc, "#")
		return strings.Contains(after, "access_token=") && !strings.Contains(before, "access_token=")
	},
	StateNotEchoed: func(t *testing.T, ts *testServer) bool {
		q := url.Values{"client_id": {rfcID}, "redirect_uri": {rfcURI}, "response_type": {"code"}, "state": {"keep-me"}}
		return strings.Contains(ts.do(req{method: "GET", path: "/oauth2/authorize?" + q.Encode()}).header.Get("Location"), "state=keep-me")
	},
	ErrorNoState: func(t *testing.T, ts *testServer) bool {
		q := url.Values{"client_id": {rfcID}, "redirect_uri": {rfcURI}, "response_type": {"bogus"}, "state": {"keep-me"}}
		return strings.Contains(ts.do(req{method: "GET", path: "/oauth2/authorize?" + q.Encode()}).header.Get("Location"), "state=keep-me")
	},
	RefreshNotRotated: func(t *testing.T, ts *testServer) bool {
		rt := ts.swPassword()["refresh_token"].(string)
		f := map[string]string{"grant_type": "refresh_token", "client_id": "administration", "refresh_token": rt}
		ts.do(req{path: "/api/oauth/token", json: f})
		return ts.do(req{path: "/api/oauth/token", json: f}).status != 200
	},
	RefreshNotBoundClient: func(t *testing.T, ts *testServer) bool {
		rt := ts.rfcExchange(ts.rfcCode(nil), nil).json(t)["refresh_token"].(string)
		return ts.do(req{path: "/oauth2/token", header: basic(rfcOtherID, rfcOtherSc), form: url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}}).status != 200
	},
	RefreshStoreNotAtomic: func(t *testing.T, ts *testServer) bool {
		return raceHolds(t, ts, func() req {
			rt := ts.swPassword()["refresh_token"].(string)
			return req{path: "/api/oauth/token", json: map[string]string{"grant_type": "refresh_token", "client_id": "administration", "refresh_token": rt}}
		})
	},
	RefreshScopeWiden: func(t *testing.T, ts *testServer) bool {
		rt := ts.rfcExchange(ts.rfcCode(url.Values{"scope": {"read"}}), nil).json(t)["refresh_token"].(string)
		return ts.do(req{path: "/oauth2/token", header: basic(rfcID, rfcSecret), form: url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "scope": {"read write"}}}).status != 200
	},
	TokenTypeCase: func(t *testing.T, ts *testServer) bool {
		return ts.ucExchange(ts.ucCode()).json(t)["token_type"] == "bearer" && ts.rfcCC()["token_type"] == "Bearer"
	},
	ExpiresInMismatch: func(t *testing.T, ts *testServer) bool {
		body := ts.swPassword()
		c := jwtClaims(t, body["access_token"].(string))
		return int(c["exp"].(float64)-c["iat"].(float64)+0.5) == int(body["expires_in"].(float64))
	},
	ExpiresInString: func(t *testing.T, ts *testServer) bool {
		_, isNumber := ts.rfcCC()["expires_in"].(float64)
		return isNumber
	},
	WrongLifetime: func(t *testing.T, ts *testServer) bool { return ts.swPassword()["expires_in"] == float64(600) },
	NoCacheHeaders: func(t *testing.T, ts *testServer) bool {
		rp := ts.do(req{path: "/oauth2/token", header: basic(rfcID, rfcSecret), form: url.Values{"grant_type": {"client_credentials"}}})
		return rp.header.Get("Cache-Control") == "no-store" && rp.header.Get("Pragma") == "no-cache"
	},
	TokensNotUnique: func(t *testing.T, ts *testServer) bool {
		return ts.rfcCC()["access_token"] != ts.rfcCC()["access_token"]
	},
	TokensDeterministic: func(t *testing.T, ts *testServer) bool {
		a, b := ts.swPassword(), ts.swPassword() // the test clock stands still: one second
		return a["access_token"] != b["access_token"] && a["refresh_token"] != b["refresh_token"]
	},
	MissingRefreshToken: func(t *testing.T, ts *testServer) bool {
		_, ok := ts.swPassword()["refresh_token"]
		return ok
	},
	RefreshInCC: func(t *testing.T, ts *testServer) bool {
		_, ok := ts.rfcCC()["refresh_token"]
		return !ok
	},
	ImplicitRefresh: func(t *testing.T, ts *testServer) bool {
		rp := ts.do(req{path: "/oauth/access_token", form: url.Values{"grant_type": {"implicit"}, "client_id": {epID}}})
		_, ok := rp.json(t)["refresh_token"]
		return !ok
	},
	JWTClaimsMissing: func(t *testing.T, ts *testServer) bool {
		_, ok := jwtClaims(t, ts.ucExchange(ts.ucCode()).json(t)["access_token"].(string))["role"]
		return ok
	},
	MalformedJSON: func(t *testing.T, ts *testServer) bool {
		rp := ts.do(req{path: "/oauth2/token", header: basic(rfcID, rfcSecret), form: url.Values{"grant_type": {"client_credentials"}}})
		return strings.HasSuffix(string(rp.body), "}")
	},
	WrongContentType: func(t *testing.T, ts *testServer) bool {
		rp := ts.do(req{path: "/oauth2/token", header: basic(rfcID, rfcSecret), form: url.Values{"grant_type": {"client_credentials"}}})
		return strings.HasPrefix(rp.header.Get("Content-Type"), "application/json")
	},
	EPIdentifierWrong: func(t *testing.T, ts *testServer) bool {
		rp := ts.do(req{path: "/oauth/access_token", form: url.Values{"grant_type": {"implicit"}, "client_id": {epID}}})
		return rp.json(t)["identifier"] == "implicit"
	},
	EPExpiresMillis: func(t *testing.T, ts *testServer) bool {
		rp := ts.do(req{path: "/oauth/access_token", form: url.Values{"grant_type": {"implicit"}, "client_id": {epID}}})
		return rp.json(t)["expires"].(float64) < 1e11
	},
	ImplicitCanWrite: func(t *testing.T, ts *testServer) bool {
		return ts.do(req{path: "/v2/products", header: bearer(ts.epToken("implicit")), raw: "{}"}).status == 403
	},
	ImplicitReadsOrder: func(t *testing.T, ts *testServer) bool {
		return ts.do(req{method: "GET", path: "/v2/orders", header: bearer(ts.epToken("implicit"))}).status == 403
	},
	CustomerTokenAny: func(t *testing.T, ts *testServer) bool {
		rp := ts.do(req{path: "/v2/customers/tokens", header: bearer(ts.epToken("implicit")), json: map[string]any{"data": map[string]string{"type": "token", "email": "ron@swanson.com", "password": "wrong"}}})
		return rp.status == 401
	},
	ClientAuthSkipped: func(t *testing.T, ts *testServer) bool {
		return ts.do(req{path: "/oauth2/token", header: basic(rfcID, "wrong"), form: url.Values{"grant_type": {"client_credentials"}}}).status != 200
	},
	NoBasicChallenge: func(t *testing.T, ts *testServer) bool {
		rp := ts.do(req{path: "/oauth2/token", header: basic(rfcID, "wrong"), form: url.Values{"grant_type": {"client_credentials"}}})
		return rp.status == 401 && rp.header.Get("WWW-Authenticate") != ""
	},
	NoBasicAuth: func(t *testing.T, ts *testServer) bool {
		return ts.do(req{path: "/oauth2/token", header: basic(rfcID, rfcSecret), form: url.Values{"grant_type": {"client_credentials"}}}).status == 200
	},
	SecretInQuery: func(t *testing.T, ts *testServer) bool {
		rp := ts.do(req{path: "/oauth2/token?client_id=" + rfcID + "&client_secret=" + rfcSecret, form: url.Values{"grant_type": {"client_credentials"}}})
		return rp.status != 200
	},
	PasswordAny: func(t *testing.T, ts *testServer) bool {
		rp := ts.do(req{path: "/api/oauth/token", json: map[string]string{"grant_type": "password", "client_id": "administration", "username": "admin", "password": "wrong"}})
		return rp.status != 200
	},
	PasswordAnyClient: func(t *testing.T, ts *testServer) bool {
		rp := ts.do(req{path: "/api/oauth/token", json: map[string]string{"grant_type": "password", "client_id": "storefront", "username": "admin", "password": "shopware"}})
		return rp.status != 200
	},
	TokenGETAllowed: func(t *testing.T, ts *testServer) bool {
		return ts.do(req{method: "GET", path: "/oauth2/token?grant_type=client_credentials", header: basic(rfcID, rfcSecret)}).status != 200
	},
	DuplicateParams: func(t *testing.T, ts *testServer) bool {
		code := ts.rfcCode(nil)
		return ts.rfcExchange(code, url.Values{"code": {code, code}}).status == 400
	},
	UnknownParamsFatal: func(t *testing.T, ts *testServer) bool {
		return ts.do(req{path: "/oauth2/token", header: basic(rfcID, rfcSecret), form: url.Values{"grant_type": {"client_credentials"}, "foo": {"bar"}}}).status == 200
	},
	ErrorFormatWrong: func(t *testing.T, ts *testServer) bool {
		rp := ts.do(req{path: "/oauth2/token", header: basic(rfcID, rfcSecret), form: url.Values{"grant_type": {"foo"}}})
		return strings.HasPrefix(rp.header.Get("Content-Type"), "application/json")
	},
	WrongErrorCode: func(t *testing.T, ts *testServer) bool {
		rp := ts.do(req{path: "/oauth2/token", header: basic(rfcID, rfcSecret), form: url.Values{"grant_type": {"foo"}}})
		return rp.json(t)["error"] == "unsupported_grant_type"
	},
	ErrorStatus200: func(t *testing.T, ts *testServer) bool {
		return ts.do(req{path: "/oauth2/token", header: basic(rfcID, rfcSecret), form: url.Values{"grant_type": {"foo"}}}).status == 400
	},
	MissingParam500: func(t *testing.T, ts *testServer) bool {
		return ts.do(req{path: "/oauth2/token", header: basic(rfcID, rfcSecret), form: url.Values{"scope": {"read"}}}).status == 400
	},
	BearerAcceptsExpired: func(t *testing.T, ts *testServer) bool {
		access := ts.swPassword()["access_token"].(string)
		ts.advance(601 * time.Second)
		return ts.do(req{method: "GET", path: "/api/_info/version", header: bearer(access)}).status == 401
	},
	BearerAcceptsForged: func(t *testing.T, ts *testServer) bool {
		access := ts.rfcCC()["access_token"].(string)
		return ts.do(req{method: "GET", path: "/oauth2/resource", header: bearer(access[:len(access)-3] + "abc")}).status == 401
	},
	BearerAcceptsRevoked: func(t *testing.T, ts *testServer) bool {
		access := ts.rfcCC()["access_token"].(string)
		ts.do(req{path: "/oauth2/revoke", header: basic(rfcID, rfcSecret), form: url.Values{"token": {access}}})
		return ts.do(req{method: "GET", path: "/oauth2/resource", header: bearer(access)}).status == 401
	},
	BearerAcceptsMissing: func(t *testing.T, ts *testServer) bool {
		return ts.do(req{method: "GET", path: "/oauth2/resource"}).status == 401
	},
	BearerNoChallenge: func(t *testing.T, ts *testServer) bool {
		return strings.HasPrefix(ts.do(req{method: "GET", path: "/oauth2/resource"}).header.Get("WWW-Authenticate"), "Bearer")
	},
	BearerLowercase: func(t *testing.T, ts *testServer) bool {
		access := ts.rfcCC()["access_token"].(string)
		return ts.do(req{method: "GET", path: "/oauth2/resource", header: map[string]string{"Authorization": "bearer " + access}}).status == 200
	},
	RevokeNotHonoured: func(t *testing.T, ts *testServer) bool {
		rt := ts.rfcExchange(ts.rfcCode(nil), nil).json(t)["refresh_token"].(string)
		ts.do(req{path: "/oauth2/revoke", header: basic(rfcID, rfcSecret), form: url.Values{"token": {rt}}})
		return ts.do(req{path: "/oauth2/token", header: basic(rfcID, rfcSecret), form: url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}}).status != 200
	},
	IntrospectionOpen: func(t *testing.T, ts *testServer) bool {
		access := ts.rfcCC()["access_token"].(string)
		return ts.do(req{path: "/oauth2/introspect", form: url.Values{"token": {access}}}).status == 401
	},
	IntrospectionActiveString: func(t *testing.T, ts *testServer) bool {
		access := ts.rfcCC()["access_token"].(string)
		return ts.introspect(access).json(t)["active"] == true
	},
	IntrospectionInactiveDetails: func(t *testing.T, ts *testServer) bool {
		return string(ts.introspect("made-up").body) == `{"active":false}`
	},
	IntrospectionPublicClient: func(t *testing.T, ts *testServer) bool {
		access := ts.rfcCC()["access_token"].(string)
		return ts.do(req{path: "/oauth2/introspect", form: url.Values{"client_id": {"public-client"}, "token": {access}}}).status == 401
	},
	IntrospectionAlwaysActive: func(t *testing.T, ts *testServer) bool {
		access := ts.rfcCC()["access_token"].(string)
		ts.do(req{path: "/oauth2/revoke", header: basic(rfcID, rfcSecret), form: url.Values{"token": {access}}})
		return ts.introspect(access).json(t)["active"] == false
	},
	JWTExpString: func(t *testing.T, ts *testServer) bool {
		_, uc := jwtClaims(t, ts.ucExchange(ts.ucCode()).json(t)["access_token"].(string))["exp"].(float64)
		_, sw := jwtClaims(t, ts.swPassword()["access_token"].(string))["exp"].(float64)
		return uc && sw
	},
	JWTAudNumber: func(t *testing.T, ts *testServer) bool {
		_, ok := jwtClaims(t, ts.swPassword()["access_token"].(string))["aud"].(string)
		return ok
	},
	RevocationUnknownTokenError: func(t *testing.T, ts *testServer) bool {
		return ts.do(req{path: "/oauth2/revoke", header: basic(rfcID, rfcSecret), form: url.Values{"token": {"made-up"}}}).status == 200
	},
	RedirectCheck500: func(t *testing.T, ts *testServer) bool {
		_, uc := ts.ucConnect(ucID, "https://evil.example.test/cb")
		rfc := ts.do(req{method: "GET", path: "/oauth2/authorize?" + url.Values{"response_type": {"code"}, "client_id": {rfcID}, "redirect_uri": {"https://evil.example.test/cb"}}.Encode()})
		return uc.status == http.StatusBadRequest && rfc.status == http.StatusBadRequest
	},
	CodeExchangeNoClientAuth: func(t *testing.T, ts *testServer) bool {
		rp := ts.do(req{path: "/oauth2/token", form: url.Values{"grant_type": {"authorization_code"}, "code": {ts.rfcCode(nil)}, "redirect_uri": {rfcURI}, "client_id": {rfcID}}})
		return rp.status != 200 && rp.json(t)["error"] == "invalid_client"
	},
	RefreshNoClientAuth: func(t *testing.T, ts *testServer) bool {
		rt := ts.rfcExchange(ts.rfcCode(nil), nil).json(t)["refresh_token"].(string)
		return ts.do(req{path: "/oauth2/token", header: basic(rfcID, "wrong"), form: url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}}).status == 401
	},
	PasswordNoClientAuth: func(t *testing.T, ts *testServer) bool {
		rp := ts.do(req{path: "/oauth2/token", form: url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {"wonderland-42"}}})
		return rp.status != 200
	},
	RevocationNoClientAuth: func(t *testing.T, ts *testServer) bool {
		rt := ts.rfcExchange(ts.rfcCode(nil), nil).json(t)["refresh_token"].(string)
		ts.do(req{path: "/oauth2/revoke", form: url.Values{"token": {rt}}})
		return ts.do(req{path: "/oauth2/token", header: basic(rfcID, rfcSecret), form: url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}}).status == 200
	},
	RevocationNotBoundClient: func(t *testing.T, ts *testServer) bool {
		rt := ts.rfcExchange(ts.rfcCode(nil), nil).json(t)["refresh_token"].(string)
		ts.do(req{path: "/oauth2/revoke", header: basic(rfcOtherID, rfcOtherSc), form: url.Values{"token": {rt}}})
		return ts.do(req{path: "/oauth2/token", header: basic(rfcID, rfcSecret), form: url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}}).status == 200
	},
	PKCEReplacesSecret: func(t *testing.T, ts *testServer) bool {
		code := ts.rfcCode(url.Values{"code_challenge": {s256(verifier)}, "code_challenge_method": {"S256"}})
		f := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {rfcURI}, "client_id": {rfcID}, "code_verifier": {verifier}}
		return ts.do(req{path: "/oauth2/token", form: f}).status != 200
	},
	RefreshPublicNotBound: func(t *testing.T, ts *testServer) bool {
		rt := ts.swPassword()["refresh_token"].(string)
		rp := ts.do(req{path: "/api/oauth/token", json: map[string]string{"grant_type": "refresh_token", "client_id": swKey, "client_secret": swSecret, "refresh_token": rt}})
		return rp.status != 200
	},
	RedirectURIRequired: func(t *testing.T, ts *testServer) bool {
		q := url.Values{"client_id": {rfcID}, "response_type": {"code"}, "state": {"s1"}}
		rp := ts.do(req{method: http.MethodGet, path: "/oauth2/authorize?" + q.Encode()})
		return rp.status == http.StatusFound && strings.HasPrefix(rp.header.Get("Location"), rfcURI+"?code=")
	},
	ExchangeNeedsRedirectURI: func(t *testing.T, ts *testServer) bool {
		q := url.Values{"client_id": {rfcID}, "response_type": {"code"}, "state": {"s1"}}
		loc, err := url.Parse(ts.do(req{method: http.MethodGet, path: "/oauth2/authorize?" + q.Encode()}).header.Get("Location"))
		require.NoError(t, err)
		f := url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}}
		return ts.do(req{path: "/oauth2/token", header: basic(rfcID, rfcSecret), form: f}).status == 200
	},
	JWKSPrivateKey:          probeJWKSPublicOnly,
	PKCERequiredNotEnforced: probePKCERequiredOfConfidential,
}

// concurrentSuccesses prepares once, then fires n requests at once and counts the 200s.
// raceHolds races 16 copies of the request next returns (each call makes a
// fresh single-use credential), up to 300 times, and reports whether every
// race had exactly one success. The copies arrive together (syncedSuccesses):
// a get-then-delete store's window is a few microseconds, which a few races
// in a hundred hit.
func raceHolds(t *testing.T, ts *testServer, next func() req) bool {
	t.Helper()
	for range 300 {
		if syncedSuccesses(t, ts, 16, next()) != 1 {
			return false
		}
	}
	return true
}

// syncedSuccesses sends n copies of r over n fresh connections, each written
// up to its last byte before the last bytes all go (last-byte
// synchronisation), and counts the 200s.
func syncedSuccesses(t *testing.T, ts *testServer, n int, r req) int {
	t.Helper()
	var raw bytes.Buffer
	require.NoError(t, ts.request(r).Write(&raw))
	msg := raw.Bytes()
	conns := make([]net.Conn, n)
	for i := range conns {
		c, err := net.DialTimeout("tcp", strings.TrimPrefix(ts.URL, "http://"), 5*time.Second)
		require.NoError(t, err)
		defer c.Close()
		require.NoError(t, c.SetDeadline(time.Now().Add(10*time.Second)))
		_, err = c.Write(msg[:len(msg)-1])
		require.NoError(t, err)
		conns[i] = c
	}
	var ok atomic.Int32
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Write(msg[len(msg)-1:]); err != nil {
				return
			}
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err == nil && resp.StatusCode == http.StatusOK {
				ok.Add(1)
			}
			if err == nil {
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	return int(ok.Load())
}

func concurrentSuccesses(t *testing.T, n int, do func() reply, prepare func()) int {
	t.Helper()
	prepare()
	var (
		ok    atomic.Int32
		wg    sync.WaitGroup
		start = make(chan struct{})
	)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if do().status == 200 {
				ok.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	return int(ok.Load())
}

// modeConfig returns the configuration of the server mode d needs
// (Defect.Needs): the demo, requiring PKCE of every client under NeedsRequirePKCE.
func modeConfig(d Defect) Config {
	cfg := DemoConfig()
	cfg.RFC6749.RequirePKCE = d.Needs() == NeedsRequirePKCE
	return cfg
}

// modeOptions returns the options of the server mode d needs (Defect.Needs).
func modeOptions(d Defect) []Option {
	switch d.Needs() {
	case NeedsLogin:
		return []Option{WithLogin(LoginForm)}
	case NeedsSigningAlg:
		return []Option{WithSigningAlg("ES256")}
	}
	return nil
}

func TestEveryDefectHasAProbe(t *testing.T) {
	for _, d := range Defects() {
		require.Contains(t, defectProbes, d, "defect %s has no probe in defects_test.go", d)
		require.NotEmpty(t, d.Describe())
	}
	require.Len(t, defectProbes, len(Defects()), "a probe names a defect that is not in the catalogue")
}

func TestDefectsBreakTheirRule(t *testing.T) {
	for _, d := range Defects() {
		probe := defectProbes[d]
		if probe == nil {
			continue
		}
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			cfg, opts := modeConfig(d), modeOptions(d)
			require.True(t, probe(t, newTestServerConfig(t, cfg, opts)), "the rule must hold on a clean server")
			require.False(t, probe(t, newTestServerConfig(t, cfg, opts, d)), "defect %s must break its rule", d)
		})
	}
}

func TestParseDefect(t *testing.T) {
	d, err := ParseDefect(" code-reusable ")
	require.NoError(t, err)
	require.Equal(t, CodeReusable, d)
	_, err = ParseDefect("no-such-defect")
	require.ErrorContains(t, err, `unknown defect "no-such-defect"`)
	require.ErrorContains(t, err, "code-reusable")
	_, err = New(DemoConfig(), WithDefects("bogus"))
	require.ErrorContains(t, err, "unknown defect")
}
