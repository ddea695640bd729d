package proc

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

const fakeNet = "testdata/net"

func TestListensOn(t *testing.T) {
	cases := []struct {
		description string
		pid, port   int
		want        Listening
		wantErr     string
	}{
		{"the process listening on the port (IPv6 table, any address)", 100, 8080, Listening{Listens: true, Sockets: 1}, ""},
		{"the process listening on 127.0.0.1:8081", 105, 8081, Listening{Listens: true, Sockets: 1}, ""},
		{"another server: the one listening there is named", 105, 8080, Listening{Sockets: 1, Holders: []Info{{PID: 100, Name: "oauthconf", UID: -1}}}, ""},
		{"a connection to the port is not a listening socket", 107, 8080, Listening{Sockets: 1, Holders: []Info{{PID: 100, Name: "oauthconf", UID: -1}}}, ""},
		{"nobody listens on the port", 100, 9999, Listening{}, ""},
		{"a listener whose process cannot be inspected is counted, not named", 100, 9090, Listening{Sockets: 1}, ""},
		{"a process in a container cannot be told", 106, 80, Listening{}, "process 106 is in another network namespace (a container?) than this one (net:[4026532999], this one net:[4026531833])"},
		{"a process whose descriptors cannot be read cannot be told", 108, 8080, Listening{}, "process 108: open testdata/net/108/fd: not a directory"},
		{"a process that is gone cannot be told", 999, 8080, Listening{}, "process 999: readlink testdata/net/999/ns/net: no such file or directory"},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			got, err := ListensOn(fakeNet, tc.pid, tc.port)
			if tc.wantErr != "" {
				require.EqualError(t, err, tc.wantErr)
				require.Equal(t, tc.pid == 106, errors.Is(err, ErrOtherNetNS), "errors.Is(err, ErrOtherNetNS)")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

// TestListensOnThisSystem checks a real listening socket (Linux only): this
// test process listens, a child that does not is told apart and the
// listener named.
func TestListensOnThisSystem(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("proc(5) is Linux's")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	got, err := ListensOn("", os.Getpid(), port)
	require.NoError(t, err)
	require.True(t, got.Listens, "this process listens on %d", port)

	child := exec.Command("sleep", "10")
	require.NoError(t, child.Start())
	defer func() { _ = child.Process.Kill(); _ = child.Wait() }()
	got, err = ListensOn("", child.Process.Pid, port)
	require.NoError(t, err)
	require.False(t, got.Listens)
	require.Len(t, got.Holders, 1)
	require.Equal(t, os.Getpid(), got.Holders[0].PID, "the listener is this test process")
}
