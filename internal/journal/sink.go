package journal

import (
	"bytes"
	"io"

	"github.com/ctr-lite/ctr-lite/internal/jsonfile"
)

// Sink is --log-driver journald for one container: one entry per line
// of its output, with docker's fields. The fields every entry shares are
// encoded once. Both the big monitor and the small waiter use it.
type Sink struct {
	conn   *Conn
	common []byte
}

// NewSink sends to conn; fields are KEY, VALUE pairs every entry has.
func NewSink(conn *Conn, fields [][2]string) *Sink {
	var b []byte
	for _, f := range fields {
		b = AppendField(b, f[0], f[1])
	}
	return &Sink{conn: conn, common: b}
}

// Copy sends r's lines as stream: the newline is dropped (journald's
// MESSAGE has none), a line longer than jsonfile.MaxMessage goes as
// pieces marked CONTAINER_PARTIAL_MESSAGE, as docker's.
func (j *Sink) Copy(stream string, r io.Reader) error {
	prio := "6" // info
	if stream == "stderr" {
		prio = "3" // err
	}
	entry := make([]byte, 0, len(j.common)+jsonfile.MaxMessage+64)
	return jsonfile.CopyLines(r, func(chunk []byte, partial bool) {
		entry = AppendField(append(entry[:0], j.common...), "PRIORITY", prio)
		entry = AppendField(entry, "MESSAGE", string(bytes.TrimSuffix(chunk, []byte("\n"))))
		if partial {
			entry = AppendField(entry, "CONTAINER_PARTIAL_MESSAGE", "true")
		}
		j.conn.Send(entry) // a journald away loses entries, as docker's
	})
}

// Close closes the connection.
func (j *Sink) Close() error { return j.conn.Close() }
