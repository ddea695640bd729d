package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauthconf/oauthconf/internal/httpx"
	"github.com/oauthconf/oauthconf/internal/outputs"
	"github.com/oauthconf/oauthconf/reference"
)

// passwordArgs verifies the one wrong-password scenario of shopware at target.
func passwordArgs(target string, more ...string) []string {
	args := append([]string{"verify", "--target", target, "--profile", "shopware", "--test-clock", "--tags", "@rfc6749-4.3.2-wrong-password"}, shopwareCreds()...)
	return append(args, more...)
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestVerifyExpectedFailuresGate(t *testing.T) {
	defective := referenceTarget(t, nil, reference.PasswordAny)
	clean := referenceTarget(t, nil)
	expected := writeFile(t, "xf.yaml", "# known\n- rule: rfc6749-4.3.2-wrong-password\n  profile: shopware\n  reason: SHOP-42 fixed in 6.7\n")
	expired := writeFile(t, "old.yaml", "- rule: rfc6749-4.3.2-wrong-password\n  reason: SHOP-42\n  expires: 2020-01-01\n")
	unknown := writeFile(t, "bad.yaml", "- rule: rfc6749-4.3.2-wrong-password\n  reason: a\n- rule: rfc6749-99\n  reason: b\n")
	for _, tc := range []struct {
		description string
		args        []string
		wantCode    int
		want        string
		// wantErr is what stderr says of the cause of an exit 1.
		wantErr string
	}{
		{"an expected failure does not gate and says why", passwordArgs(defective, "--expected-failures", expected), 0, "expected failure: SHOP-42 fixed in 6.7", ""},
		{"an expired entry gates again", passwordArgs(defective, "--expected-failures", expired), 1, "expected failure expired on 2020-01-01",
			"2 root cause(s) failed the run:\n  [shopware] rfc6749-4.3.2-wrong-password: "},
		{"an expired entry is named as a cause", passwordArgs(defective, "--expected-failures", expired), 1, "expected failure expired on 2020-01-01",
			"\n  expected failure @rfc6749-4.3.2-wrong-password (shopware): expired on 2020-01-01: it gates again: fix it or renew the entry (" + expired + ":1)"},
		{"an expected failure that passed is reported", passwordArgs(clean, "--expected-failures", expected), 0, "expected to fail but passed: remove the entry", ""},
		{"an expected failure that passed gates under --strict, named on stderr", passwordArgs(clean, "--expected-failures", expected, "--strict"), 1, "expected to fail but passed",
			"verify: 1 root cause(s) failed the run:\n  expected failure @rfc6749-4.3.2-wrong-password (shopware): unexpectedly passing under --strict: remove the entry (" + expected + ":2)"},
		{"an unknown tag exits 2 naming the line", passwordArgs(clean, "--expected-failures", unknown), 2, "bad.yaml:3: unknown requirement tag @rfc6749-99", ""},
	} {
		t.Run(tc.description, func(t *testing.T) {
			code, out, errOut := runCLI(t.Context(), tc.args...)
			if code != tc.wantCode || !strings.Contains(out+errOut, tc.want) || !strings.Contains(errOut, tc.wantErr) {
				t.Fatalf("exit %d, want %d, %q and on stderr %q\nstdout:\n%s\nstderr:\n%s", code, tc.wantCode, tc.want, tc.wantErr, out, errOut)
			}
		})
	}
}

func TestVerifyFormatJSON(t *testing.T) {
	defective := referenceTarget(t, nil, reference.PasswordAny)
	expected := writeFile(t, "xf.yaml", "- rule: rfc6749-4.3.2-wrong-password\n  reason: SHOP-42\n")
	code, out, errOut := runCLI(t.Context(), passwordArgs(defective, "--format", "json", "--expected-failures", expected)...)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	var sum outputs.Summary
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sum); err != nil || dec.More() {
		t.Fatalf("stdout is not one summary.json document (%v):\n%s", err, out)
	}
	if sum.ExitCode == nil || *sum.ExitCode != 0 || len(sum.Profiles) != 1 || sum.Profiles[0].Must.Failed != 1 {
		t.Errorf("summary = %+v, want exit 0 with one (expected) MUST failure", sum)
	}
	if len(sum.ExpectedFailures) != 1 || sum.ExpectedFailures[0].Outcome != outputs.ExpectedFailed {
		t.Errorf("expected_failures = %+v, want one failed as expected", sum.ExpectedFailures)
	}
	if !strings.Contains(errOut, "XFAIL rfc6749-4.3.2-wrong-password") {
		t.Errorf("the text report is not on stderr:\n%s", errOut)
	}
}

func TestVerifyConciseByDefault(t *testing.T) {
	defective := referenceTarget(t, nil, reference.PasswordAny)
	for _, tc := range []struct {
		description    string
		verbose        bool
		wantTranscript bool
	}{
		{"without -v one line per root cause, no transcript", false, false},
		{"with -v the transcript too", true, true},
	} {
		t.Run(tc.description, func(t *testing.T) {
			args := passwordArgs(defective)
			if tc.verbose {
				args = append(args, "-v")
			}
			code, out, _ := runCLI(t.Context(), args...)
			if code != 1 || !strings.Contains(out, "FAIL rfc6749-4.3.2-wrong-password") {
				t.Fatalf("exit %d, want 1 and the root cause line:\n%s", code, out)
			}
			if got := strings.Contains(out, "> POST "); got != tc.wantTranscript {
				t.Errorf("transcript shown = %v, want %v:\n%s", got, tc.wantTranscript, out)
			}
			if strings.Contains(out, "\x1b[") {
				t.Errorf("colours in output that is not a terminal:\n%q", out)
			}
		})
	}
}

func TestVerifyListSendsNoRequest(t *testing.T) {
	var hits atomic.Int64
	target := referenceTarget(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1); h.ServeHTTP(w, r) })
	})
	code, out, errOut := runCLI(t.Context(), append([]string{"verify", "--list", "--target", target, "--profile", "shopware"}, shopwareCreds()...)...)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"run  [shopware] must   @rfc6749-4.3.2-wrong-password  features/password.feature:13  ", "skip [shopware]", "would run", "no request was sent"} {
		if !strings.Contains(out, want) {
			t.Errorf("--list output lacks %q:\n%s", want, out)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("--list sent %d requests, want none", n)
	}
}

// TestVerifyListWithoutCredentials: --list sends no request, so it lists
// with the credentials it has; the scenarios that need a missing one say so.
func TestVerifyListWithoutCredentials(t *testing.T) {
	var hits atomic.Int64
	target := referenceTarget(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1); h.ServeHTTP(w, r) })
	})
	code, out, errOut := runCLI(t.Context(), "verify", "--list", "--target", target, "--profile", "shopware")
	if code != 0 {
		t.Fatalf("exit %d, want 0\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"skip [shopware] must   @rfc6749-4.3.2-wrong-password  features/password.feature:13  ",
		"— needs credentials client_id, client_secret, password, username (not given",
		"— profile shopware does not support the authorization_code grant", // the profile's own reasons stay
		"no request was sent",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("--list output lacks %q:\n%s", want, out)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("--list sent %d requests, want none", n)
	}
}

// certPEM returns a self-signed certificate (a CA too) and its key in PEM.
func certPEM(t *testing.T, cn string) (certFile, keyFile string, cert *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kd, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ = x509.ParseCertificate(der)
	return writeFile(t, cn+".crt", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))),
		writeFile(t, cn+".key", string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kd}))), cert
}

// tlsReference serves the reference over TLS (httptest's self-signed
// certificate), requiring a client certificate signed by clientCA if given;
// it returns the URL and the server certificate's PEM file.
func tlsReference(t *testing.T, clientCA *x509.Certificate) (string, string) {
	t.Helper()
	srv, err := reference.New(reference.DemoConfig(), reference.WithTestClock())
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(srv)
	if clientCA != nil {
		pool := x509.NewCertPool()
		pool.AddCert(clientCA)
		ts.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool}
	}
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	ts.StartTLS()
	t.Cleanup(func() { ts.Close(); srv.Close() })
	ca := writeFile(t, "server.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw})))
	return ts.URL, ca
}

func TestVerifyClientOptions(t *testing.T) {
	plain, plainCA := tlsReference(t, nil)
	clientCert, clientKey, clientCA := certPEM(t, "client")
	mtls, mtlsCA := tlsReference(t, clientCA)
	for _, tc := range []struct {
		description string
		args        []string
		wantCode    int
		want        string
	}{
		{"a self-signed server fails without --ca-file", passwordArgs(plain), 2, "certificate"},
		{"a self-signed server passes with --ca-file", passwordArgs(plain, "--ca-file", plainCA), 0, "1 passed"},
		{"--insecure passes and says so", passwordArgs(plain, "--insecure"), 0, "TLS certificates are NOT verified"},
		{"a client-certificate server fails without --client-cert", passwordArgs(mtls, "--ca-file", mtlsCA), 2, "tls: certificate required"},
		{"a client-certificate server passes with --client-cert", passwordArgs(mtls, "--ca-file", mtlsCA, "--client-cert", clientCert, "--client-key", clientKey), 0, "1 passed"},
		{"--client-cert without --client-key is a usage error", passwordArgs(mtls, "--client-cert", clientCert), 2, "--client-cert and --client-key go together"},
		{"a secret-looking --header is redacted when printed", passwordArgs(plain, "--insecure", "--header", "X-Api-Key: hunter2-very-secret", "--header", "X-Trace: visible"), 0, "X-Api-Key: [REDACTED]; X-Trace: visible"},
	} {
		t.Run(tc.description, func(t *testing.T) {
			code, out, errOut := runCLI(t.Context(), tc.args...)
			if code != tc.wantCode || !strings.Contains(out+errOut, tc.want) {
				t.Fatalf("exit %d, want %d and %q\nstdout:\n%s\nstderr:\n%s", code, tc.wantCode, tc.want, out, errOut)
			}
			if strings.Contains(out+errOut, "hunter2-very-secret") {
				t.Error("a secret header value reached the output")
			}
		})
	}
}

func TestHeaderTransportAddsHeaders(t *testing.T) {
	var got http.Header
	ts := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got = r.Header.Clone() }))
	t.Cleanup(ts.Close)
	hc := &http.Client{Transport: &httpx.HeaderTransport{Base: http.DefaultTransport, Header: http.Header{"X-Tenant": {"a"}, "Accept": {"text/plain"}}}}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, ts.URL, nil)
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got.Get("X-Tenant") != "a" || got.Get("Accept") != "application/json" {
		t.Errorf("headers = %v, want X-Tenant added and the request's own Accept kept", got)
	}
}

// mtlsLoad is a short load run against target, trusting ca.
func mtlsLoad(target, ca string, more ...string) []string {
	args := append([]string{"load", "--target", target, "--profile", "shopware", "--scenario", "client_credentials",
		"--rate", "20", "--duration", "300ms", "--quiet", "--ca-file", ca}, shopwareCreds()...)
	return append(args, more...)
}

func TestLoadClientOptions(t *testing.T) {
	target, ca := tlsReference(t, nil)
	clientCert, clientKey, clientCA := certPEM(t, "client")
	mtls, mtlsCA := tlsReference(t, clientCA)
	base := append([]string{"load", "--target", target, "--profile", "shopware", "--scenario", "client_credentials",
		"--rate", "20", "--duration", "500ms", "--quiet"}, shopwareCreds()...)
	for _, tc := range []struct {
		description string
		args        []string
		wantCode    int
		want        string
	}{
		{"a self-signed target does not answer without --ca-file", base, 2, "certificate"},
		{"with --ca-file the run succeeds", append(slices.Clip(base), "--ca-file", ca), 0, ""},
		{"--insecure warns", append(slices.Clip(base), "--insecure"), 0, "TLS certificates are NOT verified"},
		{"a client-certificate target does not answer without --client-cert", mtlsLoad(mtls, mtlsCA), 2, "certificate required"},
		{"a client-certificate target answers with --client-cert", mtlsLoad(mtls, mtlsCA, "--client-cert", clientCert, "--client-key", clientKey), 0, ""},
		{"a secret-looking --header is redacted when printed", append(slices.Clip(base), "--ca-file", ca, "--header", "X-Api-Key: hunter2-very-secret"), 0, "X-Api-Key: [REDACTED]"},
	} {
		t.Run(tc.description, func(t *testing.T) {
			code, out, errOut := runCLI(t.Context(), tc.args...)
			if code != tc.wantCode || !strings.Contains(out+errOut, tc.want) {
				t.Fatalf("exit %d, want %d and %q\nstdout:\n%s\nstderr:\n%s", code, tc.wantCode, tc.want, out, errOut)
			}
			if strings.Contains(out+errOut, "hunter2-very-secret") {
				t.Error("a secret header value reached the output")
			}
		})
	}
}
