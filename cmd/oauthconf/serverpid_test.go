package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oauthconf/oauthconf/internal/outputs"
	"github.com/stretchr/testify/require"
)

// serverChildEnv selects TestServerPIDChild's server in a re-executed test
// binary: "reference" (oauthconf serve) or "leaky" (the reference behind a
// handler that keeps 128 KiB of every request).
const serverChildEnv = "OAUTHCONF_TEST_SERVER_CHILD"

// TestServerPIDChild is no test of its own: TestLoadServerPID re-executes
// the test binary to run it as the target's separate process, which prints
// "listening on http://ADDR" to stderr and serves until killed.
func TestServerPIDChild(t *testing.T) {
	switch os.Getenv(serverChildEnv) {
	case "":
		t.Skip("the target process of TestLoadServerPID")
	case "reference":
		os.Exit(run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0"}, os.Stdout, os.Stderr))
	case "leaky":
		srv, err := newReference(serveOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(os.Stderr, "leaky server listening on http://%s\n", ln.Addr())
		var mu sync.Mutex
		var kept [][]byte
		leak := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b := make([]byte, 128<<10)
			for i := 0; i < len(b); i += 4096 {
				b[i] = 1 // touched: resident
			}
			mu.Lock()
			kept = append(kept, b)
			mu.Unlock()
			srv.ServeHTTP(w, r)
		})
		t.Fatal(http.Serve(ln, leak))
	}
}

// startServerChild starts TestServerPIDChild in mode as a child process and
// returns its base URL and process id; it is killed when the test ends.
func startServerChild(t *testing.T, mode string) (string, int) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestServerPIDChild$")
	cmd.Env = append(os.Environ(), serverChildEnv+"="+mode)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if _, a, ok := strings.Cut(sc.Text(), "listening on "); ok {
				addr <- strings.Fields(a)[0]
			}
		}
	}()
	select {
	case a := <-addr:
		return a, cmd.Process.Pid
	case <-time.After(30 * time.Second):
		t.Fatal("the server child did not say where it listens within 30 s")
	}
	return "", 0
}

// TestLoadServerPID runs short bounded loads on loopback against separate
// server processes with --server-pid: the reference costs CPU and memory
// and does not trigger the memory-growth warning; a server that keeps
// memory for every request does.
func TestLoadServerPID(t *testing.T) {
	if runtime.GOOS != "linux" {
		code, _, stderr := runCLI(context.Background(), "load", "--target", "http://127.0.0.1:1", "--server-pid", "1", "--profile", "shopware", "--demo-credentials")
		require.Equal(t, 2, code)
		require.Contains(t, stderr, "needs Linux's /proc")
		return
	}
	t.Run("a process that does not run is refused before any request", func(t *testing.T) {
		gone := exec.Command("true")
		require.NoError(t, gone.Run())
		code, _, stderr := runCLI(context.Background(), "load", "--target", "http://127.0.0.1:1", "--server-pid", strconv.Itoa(gone.Process.Pid), "--profile", "shopware", "--demo-credentials")
		require.Equal(t, 2, code)
		require.Contains(t, stderr, fmt.Sprintf("load: --server-pid %d: no such running process", gone.Process.Pid))
		require.NotContains(t, stderr, "does not answer", "refused before the target is probed")
	})
	t.Run("another server's process is refused before any request, naming the one behind the target", func(t *testing.T) {
		target, behind := startServerChild(t, "reference")
		_, other := startServerChild(t, "reference")
		_, port, err := net.SplitHostPort(strings.TrimPrefix(target, "http://"))
		require.NoError(t, err)
		code, stdout, stderr := runCLI(context.Background(), "load", "--target", target, "--server-pid", strconv.Itoa(other), "--profile", "shopware", "--demo-credentials", "--duration", "1s")
		require.Equal(t, 2, code, "stdout: %s\nstderr: %s", stdout, stderr)
		require.Contains(t, stderr, fmt.Sprintf("process %d (", other))
		require.Contains(t, stderr, fmt.Sprintf(") does not listen on port %s of --target; the processes listening there: %d (", port, behind))
		require.NotContains(t, stdout, "Server        ", "no run")
	})
	cases := []struct {
		description string
		mode        string
		wantLeak    bool
	}{
		{"the reference server: cost measured, no growth warning", "reference", false},
		{"a server that keeps 128 KiB per request: the growth warning", "leaky", true},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			base, pid := startServerChild(t, tc.mode)
			out := t.TempDir()
			code, stdout, stderr := runCLI(context.Background(), "load", "--target", base, "--profile", "shopware", "--demo-credentials",
				"--server-pid", strconv.Itoa(pid), "--rate", "200", "--duration", "2500ms", "--quiet", "--out", out)
			require.Equal(t, 0, code, "stdout: %s\nstderr: %s", stdout, stderr)
			require.Contains(t, stdout, fmt.Sprintf("Server        process %d (", pid))
			var rep outputs.LoadReport
			b, err := os.ReadFile(filepath.Join(out, "load", "client_credentials", outputs.LoadReportName))
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(b, &rep))
			s := rep.Server
			require.NotNil(t, s, "report.json has a server object")
			require.Equal(t, pid, s.PID)
			require.Positive(t, s.CPUMicrosPerToken, "CPU µs per token")
			require.Positive(t, s.RSSStartBytes)
			require.GreaterOrEqual(t, s.RSSPeakBytes, s.RSSEndBytes)
			require.Greater(t, s.Samples, 10, "samples every 200 ms over 2.5 s")
			require.NotNil(t, s.Growth, "the second half is long enough to judge")
			leak := strings.Contains(stdout, "RSS grew steadily: +") && strings.Contains(stdout, "per 1,000 tokens over the last") && strings.Contains(stdout, "(possible leak)")
			require.Equal(t, tc.wantLeak, leak, "stdout: %s\nreport.json growth: %+v", stdout, *s.Growth)
			require.Equal(t, tc.wantLeak, s.Growth.Steady)
			html, err := os.ReadFile(filepath.Join(out, "report.html"))
			require.NoError(t, err)
			require.True(t, strings.Contains(string(html), fmt.Sprintf("process %d (", pid)) && strings.Contains(string(html), "µs per token"), "report.html shows the server's cost")
			require.Equal(t, tc.wantLeak, strings.Contains(string(html), "possible leak"), "report.html shows the growth warning")
		})
	}
}
