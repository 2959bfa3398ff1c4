// Package journal sends entries to systemd-journald on its native
// protocol (systemd's "Native Journal Protocol"): one datagram per entry
// on a unix socket, each field KEY=VALUE\n, or, for a value holding a
// newline, KEY\n, the value's length as a little-endian uint64, the value
// and \n. go-systemd's journal package does the same but only to the
// fixed socket path, which a test cannot redirect (CTR_LITE_JOURNAL_SOCKET).
package journal

import (
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
)

// DefaultSocket is journald's native socket.
const DefaultSocket = "/run/systemd/journal/socket"

// SocketPath is the socket entries go to: DefaultSocket, or for tests
// CTR_LITE_JOURNAL_SOCKET.
func SocketPath() string {
	if p := os.Getenv("CTR_LITE_JOURNAL_SOCKET"); p != "" {
		return p
	}
	return DefaultSocket
}

// AppendField appends one field of an entry. Keys are the caller's
// constants (upper case, digits, underscore; journald drops others).
func AppendField(b []byte, key, value string) []byte {
	if !strings.Contains(value, "\n") {
		b = append(b, key...)
		b = append(b, '=')
		b = append(b, value...)
		return append(b, '\n')
	}
	b = append(b, key...)
	b = append(b, '\n')
	b = binary.LittleEndian.AppendUint64(b, uint64(len(value)))
	b = append(b, value...)
	return append(b, '\n')
}

// Conn is a socket to journald, safe for concurrent Sends.
type Conn struct {
	path string
	mu   sync.Mutex
	c    *net.UnixConn
}

// Dial connects to the journal socket at path; it fails when journald
// does not listen there.
func Dial(path string) (*Conn, error) {
	j := &Conn{path: path}
	if err := j.dial(); err != nil {
		return nil, err
	}
	return j, nil
}

func (j *Conn) dial() error {
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: j.path, Net: "unixgram"})
	if err != nil {
		return fmt.Errorf("connect to the journal at %s: %w", j.path, err)
	}
	j.c = c
	return nil
}

// Send sends one entry (fields made by AppendField). A journald that was
// restarted has a new socket: the send is tried once more on a new
// connection.
func (j *Conn) Send(entry []byte) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.c != nil {
		if _, err := j.c.Write(entry); err == nil {
			return nil
		}
		j.c.Close()
		j.c = nil
	}
	if err := j.dial(); err != nil {
		return err
	}
	_, err := j.c.Write(entry)
	return err
}

// Close closes the socket.
func (j *Conn) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.c == nil {
		return nil
	}
	return j.c.Close()
}
