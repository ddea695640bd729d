package steps

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/oauthconf/oauthconf/internal/hostile"
	"github.com/oauthconf/oauthconf/internal/redact"
	"github.com/oauthconf/oauthconf/profile"
)

// hostile returns servers that misbehave in one way each.
func hostileHandlers(t *testing.T) map[string]http.HandlerFunc {
	done := make(chan struct{})
	t.Cleanup(func() { close(done) })
	return map[string]http.HandlerFunc{
		"slow": func(w http.ResponseWriter, r *http.Request) {
			// Read the request, so that the server notices the client hanging
			// up, then never answer within the client's timeout.
			_, _ = io.Copy(io.Discard, r.Body)
			select {
			case <-r.Context().Done():
			case <-done:
			case <-time.After(30 * time.Second):
			}
		},
		"huge body": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			chunk := []byte(strings.Repeat("x", 64<<10))
			for i := 0; i < 40; i++ { // 2.5 MiB
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		},
		"non-JSON": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html><body>Welcome</body></html>"))
		},
		"huge header": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Huge", strings.Repeat("a", 8<<20))
			w.WriteHeader(http.StatusOK)
		},
		"redirect loop": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, r.URL.Path, http.StatusFound)
		},
	}
}

func TestHTTPClientHostileTargets(t *testing.T) {
	hs := hostileHandlers(t)
	// The bounds cases get a timeout they never need (the client stops at
	// the bound), so that a slow machine (-race) does not time out first.
	tests := []struct {
		description string
		handler     string
		timeout     time.Duration
		want        string
	}{
		{"a server that never answers times out", "slow", 200 * time.Millisecond, "timed out"},
		{"a body over 1 MiB is refused", "huge body", 5 * time.Second, "larger than"},
		{"an 8 MiB header is refused at the bound", "huge header", 5 * time.Second, "response header over 64 KiB"},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			ts := httptest.NewServer(hs[tc.handler])
			defer ts.Close()
			c, err := newHTTPClient(ts.URL, tc.timeout, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.do(t.Context(), http.MethodPost, "/token", nil, []byte("grant_type=client_credentials"))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func TestProbeNamesTheProblem(t *testing.T) {
	hs := hostileHandlers(t)
	loop := httptest.NewServer(hs["redirect loop"])
	defer loop.Close()
	tlsSrv := httptest.NewTLSServer(hs["non-JSON"])
	defer tlsSrv.Close()
	plain := httptest.NewServer(hs["non-JSON"])
	defer plain.Close()
	refused := hostile.Refused(t)

	tests := []struct {
		description string
		url         string
		want        string
	}{
		{"a redirect loop is cut after MaxRedirects", loop.URL, "redirect loop"},
		{"an untrusted certificate is a TLS error", tlsSrv.URL, "TLS"},
		{"https to a plain HTTP server is a TLS error", strings.Replace(plain.URL, "http://", "https://", 1), "TLS"},
		{"nothing listening is connection refused", refused, "connection refused"},
		{"an unresolvable host is a DNS error", "http://oauthconf-no-such-host.invalid", "DNS"},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			if strings.Contains(tc.url, ".invalid") {
				t.Skip("needs a resolver; no traffic may leave loopback in tests")
			}
			c, err := newHTTPClient(tc.url, 2*time.Second, nil)
			if err != nil {
				t.Fatal(err)
			}
			err = c.probe(t.Context())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("probe error = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

// fakeProfile is a minimal client_credentials profile for fake targets.
func fakeProfile(t *testing.T) (*profile.Profile, profile.Credentials) {
	t.Helper()
	p, err := profile.Parse([]byte(`
name: fake
token: {path: /token, encoding: form, client_auth: body}
token_type: Bearer
grants:
  client_credentials: {expires_in: 60, refresh_token: forbidden}
credentials:
  client_id: {}
  client_secret: {secret: true}
`), "test")
	if err != nil {
		t.Fatal(err)
	}
	return p, profile.NewCredentials(map[string]string{"client_id": "fake-client", "client_secret": "fake-secret-value"}, "client_secret")
}

func TestRunAgainstHostileTargetsFailsWithTheProblem(t *testing.T) {
	hs := hostileHandlers(t)
	tests := []struct {
		description string
		handler     http.HandlerFunc
		want        string
	}{
		{"a slow token endpoint fails its scenarios with a timeout", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/" {
				return
			}
			hs["slow"](w, r)
		}, "timed out"},
		{"a huge token response fails with the size limit", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/" {
				return
			}
			hs["huge body"](w, r)
		}, "larger than"},
		{"a non-JSON token response fails naming it", hs["non-JSON"], "not a JSON object"},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			ts := httptest.NewServer(tc.handler)
			defer ts.Close()
			p, creds := fakeProfile(t)
			res, err := Run(t.Context(), Options{BaseURL: ts.URL, Profile: p, Credentials: creds, Timeout: 300 * time.Millisecond, Tags: "@grant-client_credentials", Concurrency: 4})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Failed() {
				t.Fatal("run passed against a broken target")
			}
			found := false
			for _, s := range res.Scenarios() {
				if s.Status == StatusFailed && strings.Contains(s.Message, tc.want) {
					found = true
				}
				if strings.Contains(s.Message+s.Transcript, "fake-secret-value") {
					t.Errorf("%s: the client secret leaked into the report", s.ID())
				}
			}
			if !found {
				t.Errorf("no failed scenario mentions %q", tc.want)
			}
		})
	}
}

func TestRunUnreachableTargetIsAnError(t *testing.T) {
	url := hostile.Refused(t)
	p, creds := fakeProfile(t)
	_, err := Run(t.Context(), Options{BaseURL: url, Profile: p, Credentials: creds})
	if err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("Run error = %v, want connection refused", err)
	}
}

func TestRunInterruptedReturnsContextError(t *testing.T) {
	hs := hostileHandlers(t)
	// Interrupt once a scenario's request has reached the server (not at a
	// fixed time: under -race the start-up check alone can take longer).
	reached := make(chan struct{})
	var once sync.Once
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			return
		}
		once.Do(func() { close(reached) })
		hs["slow"](w, r)
	}))
	defer ts.Close()
	p, creds := fakeProfile(t)
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		select {
		case <-reached:
			time.Sleep(50 * time.Millisecond)
		case <-time.After(time.Minute):
		}
		cancel()
	}()
	res, err := Run(ctx, Options{BaseURL: ts.URL, Profile: p, Credentials: creds, Timeout: time.Minute})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run error = %v, want context.Canceled", err)
	}
	if !res.Interrupted || len(res.Profiles) != 1 {
		t.Fatalf("result = %+v, want an interrupted result for the profile", res)
	}
	// A scenario cut short by the interruption did not fail: nothing the
	// target did is known (the report's verdict is INCOMPLETE, not FAIL).
	cut := 0
	for _, s := range res.Scenarios() {
		if s.Status == StatusFailed {
			t.Errorf("%s failed on interruption: %s", s.ID(), s.Message)
		}
		if s.Status == StatusSkipped && strings.HasPrefix(s.Message, "interrupted before the scenario finished") {
			cut++
		}
	}
	if cut == 0 {
		t.Error("no scenario says it was interrupted")
	}
}

func TestRedaction(t *testing.T) {
	r := newRedactor(profile.NewCredentials(map[string]string{"client_secret": "s3cret-value"}, "client_secret"))
	r.add("eyJhbGciOiJIUzI1NiJ9.payload.signature", "code+with/slash=")
	tests := []struct {
		description string
		in          string
		leak        string
	}{
		{"credential values are hidden", "client_secret=s3cret-value", "s3cret-value"},
		{"known tokens are shortened", `{"access_token":"eyJhbGciOiJIUzI1NiJ9.payload.signature"}`, "payload.signature"},
		{"percent-encoded codes are shortened", "Location: https://c/cb?code=code%2Bwith%2Fslash%3D", "with%2Fslash"},
		{"unknown tokens in JSON are shortened", `{"access_token":"abcdefghijklmnopqrstuvwxyz0123456789"}`, "qrstuvwxyz"},
		{"truncated token values are shortened", `{"access_token":"abcdefghijklmnopqrstuvwxyz…`, "qrstuvwxyz"},
		{"passwords in bodies are hidden", "grant_type=password&password=hunter2hunter2", "hunter2"},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			if got := r.text(tc.in); strings.Contains(got, tc.leak) {
				t.Fatalf("redacted %q to %q, still containing %q", tc.in, got, tc.leak)
			}
		})
	}
	ex := &Exchange{Method: "POST", URL: "http://127.0.0.1/token", ReqHeader: http.Header{"Authorization": {"Basic dXNlcjpwYXNz"}}, Status: 200, StatusText: "200 OK", RespHeader: http.Header{}}
	if got := transcript(&r, []*Exchange{ex}); strings.Contains(got, "dXNlcjpwYXNz") {
		t.Fatalf("transcript shows the Authorization value:\n%s", got)
	}
}

// TestTranscriptIsSafe: a transcript redacts before it cuts a body (a secret
// across the 4 KiB cut shows no part of itself), keeps only cookie names,
// and shows a target's terminal escapes instead of sending them.
func TestTranscriptIsSafe(t *testing.T) {
	const secret = "s3cret-value-0123456789"
	r := newRedactor(profile.NewCredentials(map[string]string{"client_secret": secret}, "client_secret"))
	body := strings.Repeat("x", maxTranscriptBody-10) + secret + "\x1b[2J\x1b[32mall checks passed"
	ex := &Exchange{Method: "POST", URL: "http://127.0.0.1/token", ReqHeader: http.Header{}, Status: 200, StatusText: "200 OK",
		RespHeader: http.Header{"Set-Cookie": {"sid=abc123; HttpOnly"}, "X-Evil": {"\x1b]0;pwned\a"}}, RespBody: []byte(body)}
	got := transcript(&r, []*Exchange{ex})
	for _, leak := range []string{secret[:10], "abc123", "\x1b", "\a"} {
		if strings.Contains(got, leak) {
			t.Errorf("transcript contains %q:\n%s", leak, got)
		}
	}
	for _, want := range []string{"Set-Cookie: sid=[REDACTED]; HttpOnly", `X-Evil: \x1b]0;pwned\x07`, "more bytes"} {
		if !strings.Contains(got, want) {
			t.Errorf("transcript lacks %q:\n%s", want, got)
		}
	}
}

// TestBodyHint: a failure message quotes at most maxBodyHint bytes of the
// body, cut on a character boundary, and after the scenario's redactor no
// part of a secret across the cut shows, known or only named.
func TestBodyHint(t *testing.T) {
	const secret = "s3cret-value-0123456789"
	r := newRedactor(profile.NewCredentials(map[string]string{"client_secret": secret}, "client_secret"))
	pad := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		description string
		body        string
		want        string // the hint's start
		leak        string // must not show after r.text
	}{
		{"a short body is quoted whole", `{"error":"invalid_grant"}`, `: {"error":"invalid_grant"}`, ""},
		{"a character across the cut is not split", pad(maxBodyHint-1) + "ééé", ": " + pad(maxBodyHint-1) + "…", ""},
		{"a known credential across the cut shows no part", pad(maxBodyHint-8) + secret, ": " + pad(maxBodyHint-8), secret[:6]},
		{"a named secret field across the cut shows no part", `{"pad":"` + pad(maxBodyHint-30) + `","refresh_token":"rt-0123456789abcdef"}`, `: {"pad":"`, "0123456789"},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			hint := bodyHint(&Exchange{RespBody: []byte(tc.body)})
			if !utf8.ValidString(hint) || !strings.HasPrefix(hint, tc.want) || len(hint) > len(": ")+maxBodyHint+len("…") {
				t.Errorf("bodyHint = %q, want valid UTF-8 starting %q, at most %d bytes of body", hint, tc.want, maxBodyHint)
			}
			if got := r.text(hint); tc.leak != "" && strings.Contains(got, tc.leak) {
				t.Errorf("redacted bodyHint = %q, shows %q", got, tc.leak)
			}
		})
	}
}

// TestProbeSaysWhatHappened: the reachability probe names what went wrong,
// not just "unreachable": a target that accepted the connection but did not
// answer in time is a timeout waiting for response headers; TLS failures
// carry the certificate problem; and no case hangs.
func TestProbeSaysWhatHappened(t *testing.T) {
	hs := hostileHandlers(t)
	slow := httptest.NewServer(hs["slow"])
	t.Cleanup(slow.Close)
	loop := httptest.NewServer(hs["redirect loop"])
	t.Cleanup(loop.Close)
	selfSigned := httptest.NewUnstartedServer(hs["non-JSON"])
	selfSigned.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
	selfSigned.StartTLS()
	t.Cleanup(selfSigned.Close)
	plain := httptest.NewServer(hs["non-JSON"])
	t.Cleanup(plain.Close)
	slowBody := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		select { // headers sent; the body never comes
		case <-r.Context().Done():
		case <-time.After(30 * time.Second):
		}
	}))
	t.Cleanup(slowBody.Close)
	// host:port only: the cases add the scheme.
	closedPort := strings.TrimPrefix(hostile.Refused(t), "http://")
	silent := strings.TrimPrefix(hostile.NeverAnswers(t), "http://")
	hangUp := strings.TrimPrefix(hostile.HangsUp(t), "http://")
	// A resolver failure, injected: tests send no traffic beyond loopback.
	noDNS := &http.Client{Transport: &http.Transport{DialContext: func(_ context.Context, _, addr string) (net.Conn, error) {
		host, _, _ := net.SplitHostPort(addr)
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}}}

	// The test server's certificate, trusted, but checked against another name.
	trusted := selfSigned.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	wrongName := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: trusted, ServerName: "oauthconf-other-name.invalid"}}}

	const timeout = 300 * time.Millisecond
	tests := []struct {
		description string
		url         string
		hc          *http.Client
		want        []string // all of these, in the error
		ok          bool     // the probe passes
	}{
		{"a slow handler: connected, then no response headers in time", slow.URL, nil,
			[]string{"timed out after 300ms waiting for response headers", "accepted the connection"}, false},
		{"a listener that never speaks HTTP: the same", "http://" + silent, nil,
			[]string{"timed out after 300ms waiting for response headers", "accepted the connection"}, false},
		{"a listener that never answers the TLS handshake", "https://" + silent, nil,
			[]string{"TLS handshake timed out after 300ms", "accepted the connection"}, false},
		{"a self-signed certificate: TLS handshake failure naming the certificate problem", selfSigned.URL, nil,
			[]string{"TLS handshake failed", "certificate signed by unknown authority"}, false},
		{"a certificate for other names: TLS handshake failure naming them", selfSigned.URL, wrongName,
			[]string{"TLS handshake failed", "certificate is valid for", "not oauthconf-other-name.invalid"}, false},
		{"https:// to a plain HTTP server", strings.Replace(plain.URL, "http://", "https://", 1), nil,
			[]string{"TLS handshake failed", "plain HTTP"}, false},
		{"a closed port: connection refused", "http://" + closedPort, nil,
			[]string{"connection refused", closedPort}, false},
		{"a connection closed without an answer", "http://" + hangUp, nil,
			// The close arrives as a FIN or, when the request was already on
			// the wire, as a reset: both say the target hung up unanswered.
			[]string{"accepted the connection but closed it without answering|connection reset by"}, false},
		{"a DNS failure", "http://oauthconf-no-such-host.invalid", noDNS,
			[]string{"DNS lookup of \"oauthconf-no-such-host.invalid\" failed", "no such host"}, false},
		{"a redirect loop: too many redirects", loop.URL, nil,
			[]string{"too many redirects", "more than 5"}, false},
		{"a status with a slow body still counts as an answer", slowBody.URL, nil, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			t.Parallel()
			c, err := newHTTPClient(tc.url, timeout, tc.hc)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			err = c.probe(t.Context())
			if d := time.Since(start); d > 20*time.Second { // generous: proves only that it does not hang
				t.Errorf("probe took %s", d)
			}
			if tc.ok {
				if err != nil {
					t.Fatalf("probe error = %v, want none", err)
				}
				return
			}
			if err == nil {
				t.Fatal("probe passed")
			}
			t.Logf("probe: %v", err)
			for _, w := range tc.want { // "a|b": either
				if !slices.ContainsFunc(strings.Split(w, "|"), func(alt string) bool { return strings.Contains(err.Error(), alt) }) {
					t.Errorf("probe error = %v\nwant it to contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "unreachable") && !strings.Contains(tc.description, "refused") {
				t.Errorf("probe error = %v: a target that was reached is not \"unreachable\"", err)
			}
		})
	}
}

// TestEchoingTargetLeaksNoSecret: a target that echoes each request (body,
// JSON-escaped, and the Authorization header) in its answers fails the run,
// and no form of the client secret is in any message or transcript.
func TestEchoingTargetLeaksNoSecret(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Echo", r.Header.Get("Authorization"))
		_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_request", "echo": string(body), "auth": r.Header.Get("Authorization")})
	}))
	defer ts.Close()
	p, _ := fakeProfile(t)
	const secret = `fake&se"cret/é+value`
	creds := profile.NewCredentials(map[string]string{"client_id": "fake-client", "client_secret": secret}, "client_secret")
	res, err := Run(t.Context(), Options{BaseURL: ts.URL, Profile: p, Credentials: creds, Timeout: time.Second, Tags: "@grant-client_credentials", Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Failed() {
		t.Fatal("run passed against an echoing target")
	}
	forms := append(redact.Forms(secret), redact.BasicForms("fake-client", secret)...)
	for _, s := range res.Scenarios() {
		for _, f := range forms {
			if strings.Contains(s.Message+s.Transcript, f) {
				t.Errorf("%s shows the secret as %q:\n%s\n%s", s.ID(), f, s.Message, s.Transcript)
			}
		}
	}
}
