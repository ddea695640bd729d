package httpx

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// hostile serves one misbehaviour per path, on loopback.
func hostile(t *testing.T) *httptest.Server {
	t.Helper()
	done := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/huge-header", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Huge", strings.Repeat("a", 8<<20))
		w.WriteHeader(http.StatusOK)
	})
	mux.HandleFunc("/huge-body", func(w http.ResponseWriter, r *http.Request) {
		chunk := bytes.Repeat([]byte("x"), 64<<10)
		for i := 0; i < 64; i++ { // 4 MiB
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/gzip-bomb", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush() // headers first: compressing takes a while
		zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
		zero := make([]byte, 1<<20)
		for i := 0; i < 1024; i++ { // 1 GiB inflated, about 1 MiB on the wire
			if _, err := zw.Write(zero); err != nil {
				return
			}
		}
		_ = zw.Close()
	})
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-done:
		}
	})
	mux.HandleFunc("/reset", func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // close with RST
		}
		conn.Close()
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/redirect", http.StatusFound) })
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, `{"ok":true}`) })
	ts := httptest.NewServer(mux)
	t.Cleanup(func() { close(done); ts.Close() })
	return ts
}

func TestSendBoundsHostileTargets(t *testing.T) {
	ts := hostile(t)
	c := New(WithTimeout(500 * time.Millisecond))
	cases := []struct {
		description string
		path        string
		want        string
		is          error
	}{
		{"an 8 MiB header is a named error", "/huge-header", "response header over 64 KiB", ErrHeaderTooLarge},
		{"a 4 MiB body stops at the bound", "/huge-body", "response body too large: over 1 MiB", ErrBodyTooLarge},
		{"a gzip bomb is bounded after inflation", "/gzip-bomb", "response body too large: over 1 MiB", ErrBodyTooLarge},
		{"a hang ends at the timeout", "/hang", "timed out after 500ms", context.DeadlineExceeded},
		{"a reset is named", "/reset", "", nil},
		{"a good answer is no error", "/ok", "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			start := time.Now()
			ex, err := c.Send(t.Context(), http.MethodGet, ts.URL+tc.path, nil, nil)
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %s", d)
			}
			if tc.path == "/ok" {
				if err != nil || ex.Status != 200 || string(ex.RespBody) != `{"ok":true}` {
					t.Fatalf("got %v, %d %q", err, ex.Status, ex.RespBody)
				}
				return
			}
			if tc.path == "/reset" {
				if err == nil || !(strings.Contains(err.Error(), "reset") || strings.Contains(err.Error(), "closed it without answering")) {
					t.Fatalf("error = %v, want a reset or hang-up in words", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want one containing %q", err, tc.want)
			}
			if tc.is == ErrHeaderTooLarge {
				if !strings.Contains(Describe(err), tc.want) {
					t.Fatalf("Describe = %q", Describe(err))
				}
			} else if !errors.Is(err, tc.is) {
				t.Fatalf("error %v is not %v", err, tc.is)
			}
			if len(ex.RespBody) > DefaultMaxBody {
				t.Fatalf("kept %d body bytes, more than the bound", len(ex.RespBody))
			}
		})
	}
}

// TestBoundedStopsInsteadOfDraining: a client that reads a bounded prefix and
// then drains (vegeta) gets ErrBodyTooLarge instead of reading on.
func TestBoundedStopsInsteadOfDraining(t *testing.T) {
	ts := hostile(t)
	hc := &http.Client{Transport: &Bounded{Base: NewTransport(time.Second, 0), Timeout: 2 * time.Second, MaxBody: 1 << 20}}
	for _, path := range []string{"/huge-body", "/gzip-bomb"} {
		t.Run(path, func(t *testing.T) {
			resp, err := hc.Get(ts.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			n, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			m, err := io.Copy(io.Discard, resp.Body)
			if !errors.Is(err, ErrBodyTooLarge) || len(n) != 1<<20 || m != 0 {
				t.Fatalf("read %d then drained %d: %v; want 1 MiB then ErrBodyTooLarge", len(n), m, err)
			}
		})
	}
	_, err := (&http.Client{Transport: &Bounded{Base: NewTransport(time.Second, 0), Timeout: 200 * time.Millisecond}}).Get(ts.URL + "/hang")
	if !isTimeout(err) || !strings.Contains(err.Error(), "timed out after 200ms") {
		t.Fatalf("a hang through Bounded: %v, want a timeout in words", err)
	}
}

func TestProbe(t *testing.T) {
	ts := hostile(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	cases := []struct {
		description string
		url         string
		redirects   int
		want        string
	}{
		{"an answer of any status", ts.URL + "/nope", 0, ""},
		{"a redirect counts as an answer when none are followed", ts.URL + "/redirect", 0, ""},
		{"a redirect loop is cut", ts.URL + "/redirect", 3, "too many redirects: more than 3"},
		{"a hang says it reached the server", ts.URL + "/hang", 0, "waiting for response headers: 127.0.0.1"},
		{"nothing listening", "http://" + closed, 0, "connection refused by " + closed},
		{"https to plain HTTP", strings.Replace(ts.URL, "http://", "https://", 1), 0, "answered in plain HTTP, not TLS"},
		{"an oversized header", ts.URL + "/huge-header", 0, "response header over 64 KiB"},
	}
	// 300 ms ends the hang case quickly; the others answer at once, but an
	// 8 MiB header may take longer than that to arrive under -race on a
	// loaded machine, so they get a roomier bound.
	quick, roomy := New(WithTimeout(300*time.Millisecond)), New(WithTimeout(10*time.Second))
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			c := roomy
			if strings.HasSuffix(tc.url, "/hang") {
				c = quick
			}
			err := c.Probe(t.Context(), tc.url, tc.redirects)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("want no error, got %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want one containing %q", err, tc.want)
			}
		})
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := quick.Probe(ctx, ts.URL+"/ok", 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled probe: %v, want context.Canceled", err)
	}
}

func TestDescribe(t *testing.T) {
	cases := []struct {
		description string
		err         error
		want        string
	}{
		{"DNS", &net.DNSError{Err: "no such host", Name: "x.invalid"}, `DNS lookup of "x.invalid" failed: no such host`},
		{"a timeout with its bound", &Error{Timeout: time.Second, Err: context.DeadlineExceeded}, "timed out after 1s"},
		{"a hang-up", io.ErrUnexpectedEOF, "closed it without answering"},
		{"interrupted", context.Canceled, "run interrupted"},
		{"anything else as it is", errors.New("odd"), "odd"},
		{"nil", nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			if got := Describe(tc.err); !strings.Contains(got, tc.want) || (tc.want == "" && got != "") {
				t.Fatalf("Describe = %q, want it to contain %q", got, tc.want)
			}
		})
	}
}

func TestIsLoopback(t *testing.T) {
	cases := []struct {
		url  string
		want bool
	}{
		{"http://127.0.0.1:8080/x", true},
		{"http://127.8.9.10", true},
		{"http://[::1]:9000", true},
		{"http://localhost", true},
		{"http://LocalHost:80", true},
		{"http://localhost.example.com", false},
		{"https://example.com", false},
		{"http://10.0.0.1", false},
		{"://bad", false},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			if got := IsLoopback(tc.url); got != tc.want {
				t.Fatalf("IsLoopback(%q) = %v, want %v", tc.url, got, tc.want)
			}
		})
	}
}
