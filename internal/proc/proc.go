// Package proc reads a process's CPU time and resident memory from Linux's
// /proc file system (proc(5)), for load --server-pid: what a target on this
// machine spends per token.
//
// Only the process itself is measured, not its children: /proc/PID/stat's
// utime and stime are summed over all its threads (live and exited), while
// cutime and cstime, the children's, count only children it has waited for
// and are left out. CPU time comes from /proc/PID/stat (utime + stime, in
// clock ticks of UserHZ, so its resolution is 10 ms), not from
// /proc/PID/schedstat, whose nanoseconds are the main thread's only. RSS is
// /proc/PID/status's VmRSS (kB).
//
// ListensOn tells whether the process is the one behind a TCP port: it owns
// a socket (/proc/PID/fd) that its socket tables (/proc/PID/net/tcp, tcp6)
// list as listening on that port.
//
// The root of the file system is a parameter, so that tests read fake /proc
// trees. Reads are bounded; the package keeps no state.
package proc

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// DefaultRoot is where Linux mounts proc(5).
const DefaultRoot = "/proc"

// UserHZ is the unit of /proc/PID/stat's utime and stime: USER_HZ, which the
// kernel fixes at 100 for user space on every architecture Go supports on
// Linux (sysconf(_SC_CLK_TCK)), whatever its internal HZ.
const UserHZ = 100

// Tick is the resolution of Stat.CPU: one clock tick.
const Tick = time.Second / UserHZ

// ErrExited says the process is gone: no /proc/PID any more, or a zombie
// (it exited and its parent has not reaped it yet).
var ErrExited = errors.New("process exited")

// ErrUnsupported says this system has no proc(5) to read (not Linux).
var ErrUnsupported = errors.New("reading a process's CPU and memory needs Linux's /proc")

// Stat is one reading of a process.
type Stat struct {
	// CPU is the user plus system CPU time the process has used since it
	// started, over all its threads (a multiple of Tick).
	CPU time.Duration
	// RSS is the resident set size in bytes (VmRSS).
	RSS uint64
}

// Info names a process.
type Info struct {
	PID  int
	Name string // the command name (status Name, at most 15 bytes)
	UID  int    // the real user id (status Uid)
}

// maxFile bounds every read: stat and status are a few hundred bytes to a
// few kB.
const maxFile = 64 << 10

// Open checks that the process pid exists under root and that its stat and
// status can be read, and returns its name and owner. root "" is
// DefaultRoot, which only Linux has (ErrUnsupported elsewhere).
func Open(root string, pid int) (Info, error) {
	if root == "" && runtime.GOOS != "linux" {
		return Info{}, fmt.Errorf("process %d: %w (this is %s)", pid, ErrUnsupported, runtime.GOOS)
	}
	if pid <= 0 {
		return Info{}, fmt.Errorf("process %d: not a process id", pid)
	}
	status, err := readFile(root, pid, "status")
	if err != nil {
		return Info{}, err
	}
	info := Info{PID: pid, Name: statusField(status, "Name"), UID: -1}
	if f := strings.Fields(statusField(status, "Uid")); len(f) > 0 {
		info.UID, _ = strconv.Atoi(f[0])
	}
	if _, err := Read(root, pid); err != nil {
		return info, err
	}
	return info, nil
}

// Read reads the process's CPU time and RSS once. A process that exited
// (also a zombie) gives an error wrapping ErrExited.
func Read(root string, pid int) (Stat, error) {
	stat, err := readFile(root, pid, "stat")
	if err != nil {
		return Stat{}, err
	}
	state, cpu, err := ParseStat(stat)
	if err != nil {
		return Stat{}, fmt.Errorf("process %d: /proc/%d/stat: %w", pid, pid, err)
	}
	if state == 'Z' || state == 'X' {
		return Stat{}, fmt.Errorf("process %d: %w (state %c)", pid, ErrExited, state)
	}
	status, err := readFile(root, pid, "status")
	if err != nil {
		return Stat{}, err
	}
	rss, err := ParseRSS(status)
	if err != nil {
		return Stat{}, fmt.Errorf("process %d: /proc/%d/status: %w", pid, pid, err)
	}
	return Stat{CPU: cpu, RSS: rss}, nil
}

// readFile reads root/pid/name, bounded; a missing process is ErrExited.
func readFile(root string, pid int, name string) (string, error) {
	if root == "" {
		root = DefaultRoot
	}
	path := filepath.Join(root, strconv.Itoa(pid), name)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("process %d: %w (no %s)", pid, ErrExited, path)
	}
	if err != nil {
		return "", fmt.Errorf("process %d: %w", pid, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxFile))
	if err != nil {
		if errors.Is(err, syscall.ESRCH) { // it exited between open and read
			return "", fmt.Errorf("process %d: %w", pid, ErrExited)
		}
		return "", fmt.Errorf("process %d: %w", pid, err)
	}
	return string(b), nil
}

// ParseStat reads the state and utime + stime of a /proc/PID/stat line
// (proc(5): fields 3, 14 and 15). The command name (field 2) is in
// parentheses and may itself hold spaces and parentheses, so the fields are
// counted from its last ')'.
func ParseStat(s string) (state byte, cpu time.Duration, err error) {
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, 0, errors.New("no (comm) field")
	}
	f := strings.Fields(s[i+1:])
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 || len(f[0]) != 1 {
		return 0, 0, fmt.Errorf("%d fields after the command name, want at least 13", len(f))
	}
	var ticks uint64
	for _, v := range f[11:13] {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("utime/stime %q is not a whole number", v)
		}
		ticks += n
	}
	return f[0][0], time.Duration(ticks) * Tick, nil
}

// ParseRSS reads VmRSS ("VmRSS:  12345 kB") from /proc/PID/status, in bytes.
// A process without an address space (a kernel thread) has no VmRSS: an
// error.
func ParseRSS(status string) (uint64, error) {
	v := statusField(status, "VmRSS")
	if v == "" {
		return 0, errors.New("no VmRSS line (a kernel thread, or not a process status file)")
	}
	num, unit, _ := strings.Cut(v, " ")
	n, err := strconv.ParseUint(num, 10, 64)
	if err != nil || strings.TrimSpace(unit) != "kB" {
		return 0, fmt.Errorf("VmRSS %q: want \"<n> kB\"", v)
	}
	return n << 10, nil
}

// statusField returns the value of the "Key:\tvalue" line of a status file,
// trimmed; "" when absent.
func statusField(status, key string) string {
	for line := range strings.Lines(status) {
		if k, v, ok := strings.Cut(line, ":"); ok && k == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
