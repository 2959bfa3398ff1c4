package attach

import (
	"fmt"
	"io"
	"strings"
)

// DefaultDetachKeys are docker's.
const DefaultDetachKeys = "ctrl-p,ctrl-q"

// ParseDetachKeys turns docker's detach-key syntax into the bytes a
// terminal sends: comma-separated keys, each one character or ctrl-<x>
// with x one of a-z @ [ \ ] ^ _ (moby/term ToBytes).
func ParseDetachKeys(keys string) ([]byte, error) {
	var codes []byte
	for _, key := range strings.Split(keys, ",") {
		if len(key) == 1 {
			codes = append(codes, key[0])
			continue
		}
		x, ok := strings.CutPrefix(key, "ctrl-")
		if !ok || len(x) != 1 {
			return nil, fmt.Errorf("invalid detach keys %q: unknown key %q: use keys like ctrl-p,ctrl-q or a-z, comma-separated", keys, key)
		}
		c := x[0]
		switch {
		case c >= 'a' && c <= 'z':
			codes = append(codes, c-'a'+1)
		case c == '@':
			codes = append(codes, 0)
		case c >= '[' && c <= '_': // [ \ ] ^ _
			codes = append(codes, c-'['+27)
		default:
			return nil, fmt.Errorf("invalid detach keys %q: unknown key %q: use keys like ctrl-p,ctrl-q or a-z, comma-separated", keys, key)
		}
	}
	return codes, nil
}

// ErrDetached is what an escapeReader returns once it read the keys.
var ErrDetached = fmt.Errorf("detached")

// escapeReader passes r on, holding back bytes that may begin the detach
// sequence; it returns ErrDetached once the whole sequence was read, and
// passes held bytes on once they turn out not to be it (moby/term's
// EscapeProxy).
type escapeReader struct {
	r    io.Reader
	keys []byte
	held int // how many bytes of keys were read last
	buf  []byte
}

// NewEscapeReader detects keys in r (no keys: r itself).
func NewEscapeReader(r io.Reader, keys []byte) io.Reader {
	if len(keys) == 0 {
		return r
	}
	return &escapeReader{r: r, keys: keys}
}

func (e *escapeReader) Read(p []byte) (int, error) {
	for {
		if len(e.buf) > 0 { // bytes found not to be the sequence
			n := copy(p, e.buf)
			e.buf = e.buf[n:]
			return n, nil
		}
		in := make([]byte, len(p))
		n, err := e.r.Read(in)
		out := e.scan(in[:n])
		if e.held == len(e.keys) {
			return copy(p, out), ErrDetached // out: what came before the keys
		}
		if len(out) > 0 {
			e.buf = out
			continue
		}
		if err != nil {
			return 0, err
		}
	}
}

// scan consumes in, returning the bytes to pass on; it stops at a full
// match.
func (e *escapeReader) scan(in []byte) []byte {
	var out []byte
	for _, b := range in {
		if b == e.keys[e.held] {
			if e.held++; e.held == len(e.keys) {
				return out
			}
			continue
		}
		// not the sequence: what was held goes on, and b may start it anew
		out = append(out, e.keys[:e.held]...)
		e.held = 0
		if b == e.keys[0] {
			e.held = 1
			if len(e.keys) == 1 {
				return out
			}
			continue
		}
		out = append(out, b)
	}
	return out
}
