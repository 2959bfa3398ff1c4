package attach

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"path/filepath"
)

// Frame kinds. Monitor to client: Stdout, Stderr, Exit (payload: the
// decimal exit code, the last frame). Client to monitor: Stdin, Resize
// (payload: rows and columns, two big-endian uint16).
const (
	Stdout byte = 1
	Stderr byte = 2
	Exit   byte = 3
	Stdin  byte = 4
	Resize byte = 5
)

// MaxPayload bounds a frame, so a reader never allocates more than this
// for a length it was sent.
const MaxPayload = 64 << 10

const headerLen = 5 // kind, uint32 length

// SocketPath is container id's attach socket. It may be longer than a
// socket address holds (107 bytes) under a deep runroot: bind and dial
// it through withShortPath.
func SocketPath(runroot, id string) string {
	return filepath.Join(runroot, "attach-"+id[:min(20, len(id))]+".sock")
}

// Encode returns one frame; payloads above MaxPayload are the caller's
// to split (WriteFrame does).
func Encode(kind byte, payload []byte) []byte {
	b := make([]byte, headerLen+len(payload))
	b[0] = kind
	binary.BigEndian.PutUint32(b[1:], uint32(len(payload)))
	copy(b[headerLen:], payload)
	return b
}

// WriteFrame writes payload as frames of at most MaxPayload bytes.
func WriteFrame(w io.Writer, kind byte, payload []byte) error {
	for {
		n := min(len(payload), MaxPayload)
		if _, err := w.Write(Encode(kind, payload[:n])); err != nil {
			return err
		}
		if payload = payload[n:]; len(payload) == 0 {
			return nil
		}
	}
}

// ReadFrame reads one frame into buf (grown as needed, up to MaxPayload)
// and returns its kind and payload, which aliases buf.
func ReadFrame(r io.Reader, buf []byte) (byte, []byte, error) {
	var h [headerLen]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return 0, nil, err
	}
	n := binary.BigEndian.Uint32(h[1:])
	if n > MaxPayload {
		return 0, nil, fmt.Errorf("read attach frame: length %d above %d", n, MaxPayload)
	}
	if cap(buf) < int(n) {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := io.ReadFull(r, buf); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return 0, nil, err
	}
	return h[0], buf, nil
}

// EncodeSize is a Resize payload.
func EncodeSize(rows, cols uint16) []byte {
	b := make([]byte, 4)
	binary.BigEndian.PutUint16(b, rows)
	binary.BigEndian.PutUint16(b[2:], cols)
	return b
}

// DecodeSize reads a Resize payload.
func DecodeSize(p []byte) (rows, cols uint16, ok bool) {
	if len(p) != 4 {
		return 0, 0, false
	}
	return binary.BigEndian.Uint16(p), binary.BigEndian.Uint16(p[2:]), true
}
