// Package sdnotify speaks systemd's notify protocol (sd_notify(3)): one
// datagram of NAME=VALUE lines on the unix socket named by NOTIFY_SOCKET,
// a path or, with a leading @, an abstract address. It sends, and it
// relays what a service inside a container sends on a socket of its own.
//
// It does not use coreos/go-systemd's daemon package: that one sends only
// to its own process's NOTIFY_SOCKET, and a relay needs the address
// apart from the environment; the send is the same few lines.
package sdnotify

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Env is the variable systemd names its notify socket in.
const Env = "NOTIFY_SOCKET"

// Socket is this process's notify socket ("" outside a Type=notify unit).
func Socket() string { return os.Getenv(Env) }

// Send sends state (newline-separated NAME=VALUE) to socket. Go's net
// package reads a leading @ as the abstract namespace, as systemd means it.
func Send(socket, state string) error {
	if socket == "" {
		return nil
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: socket, Net: "unixgram"})
	if err != nil {
		return fmt.Errorf("notify systemd on %q: %w", socket, err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(state)); err != nil {
		return fmt.Errorf("notify systemd on %q: %w", socket, err)
	}
	return nil
}

// Without is env with no NOTIFY_SOCKET.
func Without(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, Env+"=") {
			out = append(out, kv)
		}
	}
	return out
}

// Listen makes the relay socket at path, which anyone who can reach the
// path may send to (its directory guards it).
func Listen(path string) (*os.File, error) {
	os.Remove(path) // a socket a killed start left
	// A socket's address is at most 107 bytes, which a deep runroot
	// exceeds: bind through the directory's descriptor instead.
	dir, err := os.Open(filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("make the notify socket %q: %w", path, err)
	}
	defer dir.Close()
	short := fmt.Sprintf("/proc/self/fd/%d/%s", dir.Fd(), filepath.Base(path))
	l, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: short, Net: "unixgram"})
	if err != nil {
		return nil, fmt.Errorf("make the notify socket %q: %w", path, err)
	}
	defer l.Close() // File is a duplicate, close-on-exec
	if err := os.Chmod(path, 0o666); err != nil {
		return nil, fmt.Errorf("make the notify socket %q: %w", path, err)
	}
	return l.File()
}

// Relay forwards each datagram that arrives on f (a Listen socket) to
// socket, as this process's, until the returned function closes it (see
// relayed for what is left out). A service that floods the socket is
// held to relayRate datagrams a second (after a burst of relayBurst),
// and nothing that matters is lost: a datagram that changes the unit's
// state (READY, RELOADING, STOPPING, ERRNO, WATCHDOG...) is sent as it
// came, in order, once the rate allows (the relay reads no further
// meanwhile, so a flood backs up in the sender's socket, as it would
// in front of a slow systemd); STATUS= and EXTEND_TIMEOUT_USEC= chatter
// is merged while it waits (the last value of each), since systemd reads
// the state keys of one datagram by its own precedence, not their order.
// A datagram with nothing to relay costs nothing.
func Relay(f *os.File, socket string) (stop func()) {
	c, err := net.FilePacketConn(f)
	f.Close() // FilePacketConn holds a duplicate
	if err != nil {
		return func() {}
	}
	go relayLoop(c, socket)
	return func() { c.Close() }
}

func relayLoop(c net.PacketConn, socket string) {
	buf := make([]byte, 4096)
	limit := newBucket(relayBurst, relayRate, time.Now())
	var pending state
	for {
		deadline := time.Time{} // none: wait for the next datagram
		if !pending.empty() {
			deadline = time.Now().Add(time.Second / relayRate)
		}
		c.SetReadDeadline(deadline)
		n, _, err := c.ReadFrom(buf)
		var timeout net.Error
		if err != nil && !(errors.As(err, &timeout) && timeout.Timeout()) {
			return // closed
		}
		msg := ""
		if err == nil {
			msg = relayed(string(buf[:n]))
		}
		switch {
		case msg == "":
		case changesState(msg):
			limit.wait()
			pending.send(socket) // what came before it goes first
			Send(socket, msg)
			continue
		default:
			pending.merge(msg)
		}
		if !pending.empty() && limit.take(time.Now()) {
			pending.send(socket)
		}
	}
}

// chatter are the keys merged while the rate limit holds them back.
var chatter = map[string]bool{"STATUS": true, "EXTEND_TIMEOUT_USEC": true}

// changesState reports whether msg holds any key but chatter.
func changesState(msg string) bool {
	for _, l := range strings.Split(msg, "\n") {
		if k, _, _ := strings.Cut(l, "="); !chatter[k] {
			return true
		}
	}
	return false
}

// state is notify assignments waiting to be sent: each key once, with
// its last value, in the order keys first came.
type state struct {
	keys []string
	vals map[string]string
}

func (s *state) empty() bool { return len(s.keys) == 0 }

func (s *state) merge(msg string) {
	for _, l := range strings.Split(msg, "\n") {
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			continue
		}
		if s.vals == nil {
			s.vals = map[string]string{}
		}
		if _, seen := s.vals[k]; !seen {
			s.keys = append(s.keys, k)
		}
		s.vals[k] = v
	}
}

// maxDatagram is what systemd reads of one notify datagram (PIPE_BUF):
// a longer one it ignores whole.
const maxDatagram = 4096

// send sends what is pending and empties it: one datagram, or one per
// key if together they are longer than systemd reads.
func (s *state) send(socket string) {
	if s.empty() {
		return
	}
	if msg := s.String(); len(msg) <= maxDatagram {
		Send(socket, msg)
	} else {
		for _, k := range s.keys {
			Send(socket, k+"="+s.vals[k])
		}
	}
	*s = state{}
}

func (s *state) String() string {
	lines := make([]string, len(s.keys))
	for i, k := range s.keys {
		lines[i] = k + "=" + s.vals[k]
	}
	return strings.Join(lines, "\n")
}

const (
	relayBurst = 50
	relayRate  = 20 // datagrams a second
)

// bucket is a token bucket: take succeeds while tokens are left.
type bucket struct {
	tokens, burst, rate float64
	last                time.Time
}

func newBucket(burst, rate float64, now time.Time) *bucket {
	return &bucket{tokens: burst, burst: burst, rate: rate, last: now}
}

// wait takes a token, sleeping until there is one.
func (b *bucket) wait() {
	for !b.take(time.Now()) {
		time.Sleep(time.Second / time.Duration(b.rate))
	}
}

func (b *bucket) take(now time.Time) bool {
	b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// relayedKeys are the sd_notify(3) assignments a service in a container
// may pass on: its state, status and watchdog. Left out: MAINPID= (the
// main process is the monitor's to name), NOTIFYACCESS= (it would widen
// who may speak for the unit), the FD* store (no descriptor crosses the
// relay), BARRIER=1 (sd_notify_barrier's: its descriptor stays here,
// where reading closed it, which is the answer the sender waits for),
// and anything this list does not name.
var relayedKeys = map[string]bool{
	"READY": true, "RELOADING": true, "STOPPING": true, "STATUS": true, "ERRNO": true,
	"WATCHDOG": true, "WATCHDOG_USEC": true, "EXTEND_TIMEOUT_USEC": true, "MONOTONIC_USEC": true,
}

// relayed is what of a service's datagram goes on to systemd.
func relayed(msg string) string {
	var keep []string
	for _, l := range strings.Split(msg, "\n") {
		if k, _, ok := strings.Cut(l, "="); ok && relayedKeys[k] {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}
