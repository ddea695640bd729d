package load

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauthconf/oauthconf/internal/proc"
	"github.com/oauthconf/oauthconf/profile"
	"github.com/stretchr/testify/require"
)

const mib = 1 << 20

var t0 = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// rssSeries is samples every 200 ms with the given RSS (bytes), 100 tokens
// a sample.
func rssSeries(rss func(i int) float64, n int) []serverSample {
	out := make([]serverSample, n)
	for i := range out {
		out[i] = serverSample{at: t0.Add(time.Duration(i) * 200 * time.Millisecond), Stat: proc.Stat{RSS: uint64(rss(i))}, tokens: uint64(100 * i)}
	}
	return out
}

func TestMemoryGrowth(t *testing.T) {
	noise := rand.New(rand.NewPCG(1, 2))
	cases := []struct {
		description string
		samples     []serverSample
		wantSteady  bool
		wantNil     bool
	}{
		{"flat", rssSeries(func(int) float64 { return 50 * mib }, 50), false, false},
		{"noisy flat: a garbage collector's saw-tooth around 50 MiB", rssSeries(func(int) float64 { return 50*mib + noise.Float64()*6*mib }, 50), false, false},
		{"steady growth: 1 MiB a sample", rssSeries(func(i int) float64 { return 50*mib + float64(i)*mib }, 50), true, false},
		{"noisy steady growth", rssSeries(func(i int) float64 { return 50*mib + float64(i)*mib + noise.Float64()*2*mib }, 50), true, false},
		{"warm-up growth in the first half, then flat", rssSeries(func(i int) float64 { return 20*mib + float64(min(i, 20))*2*mib }, 50), false, false},
		{"step then flat: one jump within the window", rssSeries(func(i int) float64 {
			if i < 37 {
				return 50 * mib
			}
			return 90 * mib
		}, 50), false, false},
		{"steady but small growth (under 8 MiB over the window)", rssSeries(func(i int) float64 { return 50*mib + float64(i)*64*1024 }, 50), false, false},
		{"steady but small next to a large process (under 10 %)", rssSeries(func(i int) float64 { return 4096*mib + float64(i)*mib }, 50), false, false},
		{"a run too short to judge", rssSeries(func(i int) float64 { return float64(i) * mib }, 6), false, true},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			g := memoryGrowth(tc.samples)
			if tc.wantNil {
				require.Nil(t, g)
				return
			}
			require.NotNil(t, g)
			require.Equal(t, tc.wantSteady, g.Steady, "slope %.0f B/s, R² %.3f over %.1f s", g.SlopeBytesPerSecond, g.R2, g.WindowSeconds)
		})
	}
	t.Run("the growth is stated per 1,000 tokens of the window", func(t *testing.T) {
		g := memoryGrowth(rssSeries(func(i int) float64 { return 50*mib + float64(i)*mib }, 51))
		require.InDelta(t, 5*mib, g.SlopeBytesPerSecond, 1, "1 MiB per 200 ms")
		require.InDelta(t, 10*mib, g.Per1000TokensBytes, 1, "1 MiB per 100 tokens")
		require.InDelta(t, 5.0, g.WindowSeconds, 1e-9)
		require.InDelta(t, 1.0, g.R2, 1e-9)
	})
}

// scripted is a serverSampler over scripted readings, a fake clock that
// advances 200 ms a reading, and a ticker the test drives.
func scripted(reads []proc.Stat, exitAfter int) (*serverSampler, chan time.Time) {
	tick := make(chan time.Time)
	n, now := 0, t0.Add(-200*time.Millisecond)
	s := &serverSampler{info: proc.Info{PID: 42, Name: "srv"}, every: 200 * time.Millisecond,
		read: func() (proc.Stat, error) {
			defer func() { n++ }()
			if exitAfter >= 0 && n >= exitAfter {
				return proc.Stat{}, fmt.Errorf("process 42: %w", proc.ErrExited)
			}
			return reads[n], nil
		},
		now:    func() time.Time { now = now.Add(200 * time.Millisecond); return now },
		ticker: func(time.Duration) (<-chan time.Time, func()) { return tick, func() {} },
		tokens: func() uint64 { return uint64(1000 * n) },
	}
	return s, tick
}

func TestServerSampler(t *testing.T) {
	reads := []proc.Stat{{CPU: 5 * time.Second, RSS: 30 * mib}, {CPU: 5100 * time.Millisecond, RSS: 34 * mib}, {CPU: 5300 * time.Millisecond, RSS: 33 * mib}, {CPU: 5500 * time.Millisecond, RSS: 32 * mib}}
	t.Run("CPU per token, cores, and RSS start, end, peak and growth per 1,000 tokens", func(t *testing.T) {
		s, tick := scripted(reads, -1)
		s.start()
		tick <- t0
		tick <- t0
		c := s.finish()
		require.Equal(t, 4, c.Samples, "one before, two ticks, one after")
		require.InDelta(t, 0.5, c.CPUSeconds, 1e-9)
		require.InDelta(t, 0.6, c.SpanSeconds, 1e-9)
		require.InDelta(t, 0.5/0.6, c.CPUCores, 1e-9)
		require.Equal(t, uint64(3000), c.Tokens)
		require.InDelta(t, 0.5e6/3000, c.CPUMicrosPerToken, 1e-6)
		require.Equal(t, []uint64{30 * mib, 32 * mib, 34 * mib}, []uint64{c.RSSStartBytes, c.RSSEndBytes, c.RSSPeakBytes})
		require.InDelta(t, 2.0*mib/3, c.RSSGrowthPer1000Tokens, 1)
		require.Nil(t, c.ExitedAtSeconds)
		require.Empty(t, c.Warnings)
		require.Len(t, c.Series, 4)

		var b strings.Builder
		writeServerCost(&b, c)
		require.Equal(t, "Server        process 42 (srv): CPU 0.50 s (0.83 cores), 166.7 µs per token; RSS 30.0 MiB → 32.0 MiB (peak 34.0 MiB), +682.7 KiB per 1,000 tokens (4 samples over 0.6 s; this process only, not its children)\n", b.String())
	})
	t.Run("a process that exits mid-run is named, with when", func(t *testing.T) {
		s, tick := scripted(reads, 2)
		s.start()
		tick <- t0
		tick <- t0 // the reading that finds it gone ends the sampling
		c := s.finish()
		require.Equal(t, 2, c.Samples)
		require.NotNil(t, c.ExitedAtSeconds)
		require.InDelta(t, 0.4, *c.ExitedAtSeconds, 1e-9)
		require.Len(t, c.Warnings, 1)
		require.Contains(t, c.Warnings[0], "server process 42 exited at 0.4 s into the run (12:00:00.4): the figures cover the run until then")
		require.InDelta(t, 0.1, c.CPUSeconds, 1e-9, "the CPU until the last sample")
		var b strings.Builder
		writeServerCost(&b, c)
		require.Contains(t, b.String(), "Server        WARNING server process 42 exited at 0.4 s")
	})
	t.Run("a CPU time of a few clock ticks is called coarse", func(t *testing.T) {
		s, _ := scripted([]proc.Stat{{CPU: time.Second, RSS: mib}, {CPU: time.Second + 20*time.Millisecond, RSS: mib}}, -1)
		s.start()
		c := s.finish()
		require.Equal(t, []string{"CPU time 20 ms is within 10 clock ticks of 10 ms: the CPU figures are coarse; run longer"}, c.Warnings)
	})
	t.Run("no CPU at all while tokens were issued: the wrong process?", func(t *testing.T) {
		s, _ := scripted([]proc.Stat{{CPU: time.Second, RSS: mib}, {CPU: time.Second, RSS: mib}}, -1)
		s.start()
		c := s.finish()
		require.Equal(t, []string{"the process spent no measurable CPU (under one 10 ms clock tick) while 1000 tokens were issued: is it the target's?"}, c.Warnings)
	})
	t.Run("steady growth is a warning in the report's words", func(t *testing.T) {
		s := &serverSampler{info: proc.Info{PID: 42}, every: 200 * time.Millisecond, samples: rssSeries(func(i int) float64 { return 50*mib + float64(i)*mib }, 51)}
		c := s.cost()
		require.Contains(t, c.Warnings, "RSS grew steadily: +10.0 MiB per 1,000 tokens over the last 5 s (possible leak)")
	})
}

// fakeProc writes a proc(5) tree under a temporary root holding process pid.
func fakeProc(t *testing.T, pid int, stat, status string) string {
	root := t.TempDir()
	dir := filepath.Join(root, fmt.Sprint(pid))
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "stat"), []byte(stat), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "status"), []byte(status), 0o644))
	return root
}

func TestNewServerSampler(t *testing.T) {
	live := fakeProc(t, 77, "77 (srv) S 1 77 77 0 -1 0 0 0 0 0 10 5 0 0 20 0 1 0 1 1 1\n", "Name:\tsrv\nUid:\t1000\t1000\t1000\t1000\nVmRSS:\t 100 kB\n")
	kernel := fakeProc(t, 2, "2 (kthreadd) S 0 0 0 0 -1 0 0 0 0 0 0 5 0 0 20 0 1 0 1 0 0\n", "Name:\tkthreadd\nUid:\t0\t0\t0\t0\n")
	cases := []struct {
		description string
		opts        Options
		wantErr     string
	}{
		{"no --server-pid, no sampler", Options{}, ""},
		{"a process that can be read", Options{ServerPID: 77, procRoot: live}, ""},
		{"a process that does not exist", Options{ServerPID: 78, procRoot: live}, "load: --server-pid 78: no such running process"},
		{"a process without memory of its own", Options{ServerPID: 2, procRoot: kernel}, "load: --server-pid 2 cannot be sampled: process 2: /proc/2/status: no VmRSS line"},
		{"the load generator itself", Options{ServerPID: os.Getpid()}, "is this process, the load generator"},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			s, err := newServerSampler(tc.opts, func() uint64 { return 0 })
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.opts.ServerPID == 0, s == nil)
		})
	}
}

// TestCheckServerPID: the process must listen on the target's port (fake
// proc(5) trees: internal/proc/testdata/net/README.md).
func TestCheckServerPID(t *testing.T) {
	const root = "../internal/proc/testdata/net"
	cases := []struct {
		description string
		pid         int
		target      string
		wantWarning string
		wantErr     string
	}{
		{"the process behind the target", 100, "http://127.0.0.1:8080", "", ""},
		{"the scheme's port", 105, "http://127.0.0.1:8081/oauth", "", ""},
		{"another server's process is refused, naming the one listening there", 105, "http://127.0.0.1:8080",
			"", "load: --server-pid 105: process 105 (oauthconf) does not listen on port 8080 of --target; the processes listening there: 100 (oauthconf)"},
		{"nobody listening there", 100, "http://localhost", "", "process 100 (oauthconf) does not listen on port 80 of --target; the processes listening there: none"},
		{"a listener this user may not inspect", 100, "http://127.0.0.1:9090", "", "process 100 (oauthconf) does not listen on port 9090 of --target; the processes listening there: 1 socket(s), of processes this user may not inspect"},
		{"a process in a container: a warning, and the run goes on", 106, "http://127.0.0.1:8080",
			"load: --server-pid 106: cannot check that it listens on port 8080 of --target (process 106 is in another network namespace (a container?) than this one (net:[4026532999], this one net:[4026531833])); measuring it anyway", ""},
		{"unreadable descriptors: a warning, and the run goes on", 108, "http://127.0.0.1:8080",
			"load: --server-pid 108: cannot check that it listens on port 8080 of --target (process 108: open ../internal/proc/testdata/net/108/fd: not a directory); measuring it anyway", ""},
		{"a process that is gone is refused first", 999, "http://127.0.0.1:8080", "", "load: --server-pid 999: no such running process"},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			warning, err := checkServerPID(Options{ServerPID: tc.pid, BaseURL: tc.target, procRoot: root})
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.wantWarning, warning)
		})
	}
}

// TestRunServerPID runs a short load with --server-pid on a child process
// that exits during the run: the report names the exit, and a run against
// a process that is gone before it starts sends nothing.
func TestRunServerPID(t *testing.T) {
	if runtime.GOOS != "linux" {
		_, err := Run(context.Background(), Options{BaseURL: "http://127.0.0.1:1", Profile: mustProfile(t, "rfc6749"), Scenario: ClientCredentials, Duration: time.Second, ServerPID: 1})
		require.ErrorIs(t, err, proc.ErrUnsupported)
		return
	}
	var hits atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"access_token":"abc","token_type":"Bearer","expires_in":3600}`)
	}))
	defer ts.Close()
	child := exec.Command("sleep", "0.5")
	require.NoError(t, child.Start())
	go func() { _ = child.Wait() }()
	prof := mustProfile(t, "rfc6749")
	creds, err := profile.Resolve(prof, map[string]string{"client_id": "a", "client_secret": "b", "username": "u", "password": "p", "scope": "s", "redirect_uri": "http://127.0.0.1/cb"}, func(string) string { return "" })
	require.NoError(t, err)
	opts := Options{BaseURL: ts.URL, Profile: prof, Scenario: ClientCredentials, Rate: 20, Duration: 1500 * time.Millisecond,
		Credentials: creds, ServerPID: child.Process.Pid, ServerSampleEvery: 50 * time.Millisecond}
	rep, err := Run(context.Background(), opts)
	require.NoError(t, err)
	require.NotNil(t, rep.Server)
	require.NotNil(t, rep.Server.ExitedAtSeconds, "warnings: %v", rep.Server.Warnings)
	require.InDelta(t, 0.5, *rep.Server.ExitedAtSeconds, 0.4)
	require.Contains(t, strings.Join(rep.Server.Warnings, "\n"), fmt.Sprintf("server process %d exited at ", child.Process.Pid))
	require.Greater(t, rep.Requests, uint64(20), "the run went on after the process exited")

	before := hits.Load()
	_, err = Run(context.Background(), opts)
	require.ErrorContains(t, err, fmt.Sprintf("--server-pid %d: no such running process", child.Process.Pid))
	require.True(t, errors.Is(err, proc.ErrExited))
	require.Equal(t, before, hits.Load(), "no request after the check failed")
}

func mustProfile(t *testing.T, name string) *profile.Profile {
	p, err := profile.Load(name)
	require.NoError(t, err)
	return p
}
