package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
)

// proxyChildArgs carries the command line of the child process that
// TestProxyFromTheEnvironment starts: net/http reads the proxy variables
// once per process, so each case runs in a process of its own.
const proxyChildArgs = "OAUTHCONF_TEST_PROXY_CHILD_ARGS"

// remoteHost is a name no resolver answers: only a proxy can reach it.
const remoteHost = "auth.example.test"

// TestProxyFromTheEnvironment: verify and load send their requests through
// the proxy HTTP_PROXY names, with and without client options (--header).
func TestProxyFromTheEnvironment(t *testing.T) {
	if raw := os.Getenv(proxyChildArgs); raw != "" {
		var args []string
		if err := json.Unmarshal([]byte(raw), &args); err != nil {
			t.Fatal(err)
		}
		os.Exit(run(context.Background(), args, os.Stdout, os.Stderr))
	}
	ref, err := url.Parse(referenceTarget(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	var proxied, withHeader atomic.Int64
	forward := httputil.NewSingleHostReverseProxy(ref)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Host != remoteHost { // a proxy request has the absolute URL
			http.Error(w, "not a proxy request for "+remoteHost, http.StatusBadGateway)
			return
		}
		proxied.Add(1)
		if r.Header.Get("X-Trace") == "via-proxy" {
			withHeader.Add(1)
		}
		forward.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	target := "http://" + remoteHost
	load := append([]string{"load", "--target", target, "--allow-remote", "--profile", "shopware", "--scenario", "client_credentials",
		"--rate", "20", "--duration", "300ms", "--quiet"}, shopwareCreds()...)
	for _, tc := range []struct {
		description string
		args        []string
		header      bool
	}{
		{"verify goes through HTTP_PROXY", passwordArgs(target), false},
		{"verify with --header goes through HTTP_PROXY", passwordArgs(target, "--header", "X-Trace: via-proxy"), true},
		{"load goes through HTTP_PROXY", load, false},
		{"load with --header goes through HTTP_PROXY", append(slices.Clip(load), "--header", "X-Trace: via-proxy"), true},
	} {
		t.Run(tc.description, func(t *testing.T) {
			proxied.Store(0)
			withHeader.Store(0)
			raw, err := json.Marshal(tc.args)
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestProxyFromTheEnvironment$")
			cmd.Env = append(os.Environ(), "HTTP_PROXY="+proxy.URL, "http_proxy="+proxy.URL, "NO_PROXY=", "no_proxy=", proxyChildArgs+"="+string(raw))
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%v: %v\n%s", tc.args[0], err, out)
			}
			if proxied.Load() == 0 {
				t.Errorf("no request went through the proxy:\n%s", out)
			}
			if tc.header && withHeader.Load() != proxied.Load() {
				t.Errorf("%d of %d proxied requests carried --header", withHeader.Load(), proxied.Load())
			}
			if tc.args[0] == "verify" && !strings.Contains(string(out), "1 passed") {
				t.Errorf("verify through the proxy did not pass:\n%s", out)
			}
		})
	}
}
