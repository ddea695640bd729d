package proc

import (
	"errors"
	"os"
	"os/exec"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const fake = "testdata/proc"

func TestRead(t *testing.T) {
	cases := []struct {
		description string
		pid         int
		want        Stat
		wantErr     string
		exited      bool
	}{
		{"a running process: utime + stime in ticks, VmRSS in bytes", 100, Stat{CPU: 2 * time.Second, RSS: 20480 << 10}, "", false},
		{"a command name with spaces and parentheses", 102, Stat{CPU: 100 * time.Millisecond, RSS: 1 << 20}, "", false},
		{"a zombie has exited", 101, Stat{}, "process 101: process exited (state Z)", true},
		{"no such process has exited", 999, Stat{}, "process 999: process exited (no testdata/proc/999/stat)", true},
		{"a kernel thread has no RSS", 103, Stat{}, "no VmRSS line", false},
		{"a truncated stat line names the problem", 104, Stat{}, "/proc/104/stat: 4 fields after the command name, want at least 13", false},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			got, err := Read(fake, tc.pid)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				require.Equal(t, tc.exited, errors.Is(err, ErrExited), "errors.Is(err, ErrExited)")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestOpen(t *testing.T) {
	cases := []struct {
		description string
		pid         int
		want        Info
		wantErr     string
	}{
		{"names the process and its owner", 100, Info{PID: 100, Name: "oauthconf", UID: 1000}, ""},
		{"a name with parentheses", 102, Info{PID: 102, Name: "my (odd) srv", UID: 0}, ""},
		{"a missing process is an error before any sampling", 999, Info{}, "process exited (no testdata/proc/999/status)"},
		{"a zombie is an error", 101, Info{}, "state Z"},
		{"a process id must be positive", 0, Info{}, "process 0: not a process id"},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			got, err := Open(fake, tc.pid)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestReadUnreadable(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(dir+"/7/stat", 0o755)) // a directory where the file should be: no read succeeds
	require.NoError(t, os.WriteFile(dir+"/7/status", []byte("Name:\tx\nUid:\t0\nVmRSS:\t1 kB\n"), 0o644))
	_, err := Open(dir, 7)
	require.ErrorContains(t, err, "process 7: read "+dir+"/7/stat: is a directory")
	require.False(t, errors.Is(err, ErrExited), "an unreadable process has not exited")
}

// TestReadThisSystem reads a real child process (Linux only): it uses CPU
// and memory, and once it exited and was reaped, Read says so.
func TestReadThisSystem(t *testing.T) {
	if runtime.GOOS != "linux" {
		_, err := Open("", os.Getpid())
		require.ErrorIs(t, err, ErrUnsupported)
		return
	}
	me, err := Open("", os.Getpid())
	require.NoError(t, err)
	require.Equal(t, os.Getuid(), me.UID)
	st, err := Read("", os.Getpid())
	require.NoError(t, err)
	require.Positive(t, st.RSS, "this test process is resident")

	cmd := exec.Command("sleep", "0.3")
	require.NoError(t, cmd.Start())
	_, err = Read("", cmd.Process.Pid)
	require.NoError(t, err, "the child runs")
	// Not reaped yet: the child becomes a zombie, which has exited too.
	deadline := time.Now().Add(5 * time.Second)
	for err == nil && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		_, err = Read("", cmd.Process.Pid)
	}
	require.ErrorIs(t, err, ErrExited)
	require.ErrorContains(t, err, "state Z", "exited but not reaped")
	require.NoError(t, cmd.Wait())
	_, err = Read("", cmd.Process.Pid)
	require.ErrorIs(t, err, ErrExited)
}
