package proc

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// ErrOtherNetNS says the process is in another network namespace than this
// one (a container, say): its sockets are not those a port of this machine
// names, so whether it listens there cannot be told.
var ErrOtherNetNS = errors.New("in another network namespace (a container?)")

// maxTable bounds the read of a socket table (net/tcp, net/tcp6): about
// 150 bytes a socket, so some 100,000 sockets of a busy server.
const maxTable = 16 << 20

// Listening is what ListensOn found.
type Listening struct {
	// Listens is true when the process owns a socket in the LISTEN state
	// on the port.
	Listens bool
	// Sockets counts the sockets listening on the port in the process's
	// network namespace, whoever owns them.
	Sockets int
	// Holders are the processes that own a socket listening on the port
	// (when the process does not), among those this user may inspect;
	// sorted by PID.
	Holders []Info
}

// ListensOn reports whether process pid owns a TCP socket listening on port
// (any address, IPv4 or IPv6): one of its file descriptors (root/PID/fd/*,
// links "socket:[INODE]") is a socket that root/PID/net/tcp or net/tcp6
// lists in state 0A (TCP_LISTEN; proc(5)) with that local port. When it
// does not, it names the processes that do.
//
// An error says it cannot be told: the process's file descriptors or socket
// tables cannot be read (another user's process, say), or the process is
// in another network namespace than this one (ErrOtherNetNS).
func ListensOn(root string, pid, port int) (Listening, error) {
	if root == "" {
		root = DefaultRoot
	}
	if err := sameNetNS(root, pid); err != nil {
		return Listening{}, err
	}
	listening, err := listeningInodes(filepath.Join(root, strconv.Itoa(pid), "net"), port)
	if err != nil {
		return Listening{}, fmt.Errorf("process %d: %w", pid, err)
	}
	own, err := socketInodes(root, pid)
	if err != nil {
		return Listening{}, err
	}
	for _, ino := range own {
		if listening[ino] {
			return Listening{Listens: true, Sockets: len(listening)}, nil
		}
	}
	return Listening{Sockets: len(listening), Holders: holders(root, listening)}, nil
}

// sameNetNS checks that pid's network namespace (the ns/net link) is this
// process's (root/self).
func sameNetNS(root string, pid int) error {
	mine, err := os.Readlink(filepath.Join(root, "self", "ns", "net"))
	if err != nil {
		return fmt.Errorf("this process's network namespace: %w", err)
	}
	theirs, err := os.Readlink(filepath.Join(root, strconv.Itoa(pid), "ns", "net"))
	if err != nil {
		return fmt.Errorf("process %d: %w", pid, err)
	}
	if mine != theirs {
		return fmt.Errorf("process %d is %w than this one (%s, this one %s)", pid, ErrOtherNetNS, theirs, mine)
	}
	return nil
}

// listeningInodes reads the inodes of the sockets listening on port from
// dir's tcp and tcp6 tables; a table may be missing (no IPv6), not both.
func listeningInodes(dir string, port int) (map[uint64]bool, error) {
	inodes := map[uint64]bool{}
	missing := 0
	for _, name := range []string{"tcp", "tcp6"} {
		f, err := os.Open(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			missing++
			continue
		}
		if err != nil {
			return nil, err
		}
		err = scanListening(io.LimitReader(f, maxTable), port, inodes)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(dir, name), err)
		}
	}
	if missing == 2 {
		return nil, fmt.Errorf("no socket table %s", filepath.Join(dir, "tcp"))
	}
	return inodes, nil
}

// scanListening adds to inodes those of the table's LISTEN lines on port:
// "sl local_address rem_address st … inode", the address "HEX:PORT" in hex.
func scanListening(r io.Reader, port int, inodes map[uint64]bool) error {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 10 || f[3] != "0A" {
			continue // the header, or not listening
		}
		_, hex, ok := strings.Cut(f[1], ":")
		p, err := strconv.ParseUint(hex, 16, 16)
		if !ok || err != nil || int(p) != port {
			continue
		}
		if ino, err := strconv.ParseUint(f[9], 10, 64); err == nil {
			inodes[ino] = true
		}
	}
	return sc.Err()
}

// socketInodes lists the inodes of the sockets pid has open.
func socketInodes(root string, pid int) ([]uint64, error) {
	dir := filepath.Join(root, strconv.Itoa(pid), "fd")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("process %d: %w", pid, err)
	}
	var out []uint64
	for _, e := range entries {
		link, err := os.Readlink(filepath.Join(dir, e.Name()))
		if err != nil {
			continue // closed since
		}
		if s, ok := strings.CutPrefix(link, "socket:["); ok {
			if ino, err := strconv.ParseUint(strings.TrimSuffix(s, "]"), 10, 64); err == nil {
				out = append(out, ino)
			}
		}
	}
	return out, nil
}

// holders are the processes under root owning one of the sockets, among
// those whose file descriptors can be read.
func holders(root string, sockets map[uint64]bool) []Info {
	if len(sockets) == 0 {
		return nil
	}
	entries, _ := os.ReadDir(root)
	var out []Info
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid <= 0 {
			continue
		}
		own, err := socketInodes(root, pid)
		if err != nil || !slices.ContainsFunc(own, func(ino uint64) bool { return sockets[ino] }) {
			continue
		}
		info := Info{PID: pid, UID: -1}
		if status, err := readFile(root, pid, "status"); err == nil {
			info.Name = statusField(status, "Name")
		}
		out = append(out, info)
	}
	slices.SortFunc(out, func(a, b Info) int { return a.PID - b.PID })
	return out
}
