package state

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"sync"
	"time"
	"unicode/utf8"
)

// LogEntry is one line of a container's <id>-json.log, in docker's
// json-file format.
type LogEntry struct {
	Log    string    `json:"log"`
	Stream string    `json:"stream"`
	Time   time.Time `json:"time"`
}

// MaxLogMessage is the most one entry holds, docker's 16 KiB: a longer
// line is written as several partial entries, each without a trailing
// newline but the last, and readers concatenate them. So the copier's
// memory is bounded whatever a container writes.
const MaxLogMessage = 16 << 10

// LogWriter appends entries to a json-file log; safe for the stdout and
// stderr copiers to share. Entries are batched: one write(2) per
// flushSize bytes, and none waits longer than flushDelay, so `logs -f`
// sees each line within that (a write per line made the monitor 7x
// slower than conmon).
type LogWriter struct {
	mu    sync.Mutex
	f     *os.File
	path  string
	rot   LogRotation
	size  int64 // of f, written
	buf   []byte
	timer *time.Timer // pending flush, nil when buf is empty
}

const (
	flushSize  = 64 << 10
	flushDelay = 50 * time.Millisecond
)

// OpenLog opens (creating) a container's log for appending, rotated by
// rot.
func OpenLog(path string, rot LogRotation) (*LogWriter, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	return LogFromFile(f, path, rot), nil
}

// Close writes what is batched and closes the log.
func (w *LogWriter) Close() error {
	w.Flush()
	return w.f.Close()
}

// Flush writes the batched entries now.
func (w *LogWriter) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.flushLocked()
}

func (w *LogWriter) flushLocked() {
	if len(w.buf) > 0 {
		n, _ := w.f.Write(w.buf)
		w.size += int64(n)
		w.buf = w.buf[:0]
	}
	if w.timer != nil {
		w.timer.Stop() // a timer already fired flushes nothing more
		w.timer = nil
	}
}

// Copy reads r into the log as stream until r ends: one entry per line,
// a line longer than MaxLogMessage as partial entries. A last line
// without a newline is kept as it is.
func (w *LogWriter) Copy(stream string, r io.Reader) error {
	return CopyLines(r, func(chunk []byte, _ bool) {
		w.write(LogEntry{Log: string(chunk), Stream: stream, Time: time.Now().UTC()})
	})
}

// CopyLines reads r until it ends, calling fn with each line (newline
// kept) or, for a line longer than MaxLogMessage, each piece of it but
// the last with partial set; chunk is only valid during the call. A last
// line without a newline is passed as it is, not partial.
func CopyLines(r io.Reader, fn func(chunk []byte, partial bool)) error {
	br := bufio.NewReaderSize(r, MaxLogMessage)
	for {
		chunk, err := br.ReadSlice('\n') // at most MaxLogMessage bytes
		if len(chunk) > 0 {
			fn(chunk, errors.Is(err, bufio.ErrBufferFull))
		}
		switch {
		case err == nil, errors.Is(err, bufio.ErrBufferFull):
		case err == io.EOF:
			return nil
		default:
			return err
		}
	}
}

func (w *LogWriter) write(e LogEntry) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := len(w.buf)
	w.buf = appendEntry(w.buf, e)
	if max := w.rot.MaxSize; max > 0 && w.size+int64(len(w.buf)) > max && w.size+int64(n) > 0 {
		// This entry starts the next file: what came before it is
		// written, then the log rotates.
		entry := append([]byte(nil), w.buf[n:]...)
		w.buf = w.buf[:n]
		w.flushLocked()
		w.rotateLocked()
		w.buf = append(w.buf, entry...)
	}
	if len(w.buf) >= flushSize {
		w.flushLocked()
	} else if w.timer == nil {
		w.timer = time.AfterFunc(flushDelay, w.Flush)
	}
}

// appendEntry appends e as one line of docker's json-file format. It is
// hand-written because json.Marshal per line was most of the copier's
// time; the test checks it against encoding/json.
func appendEntry(b []byte, e LogEntry) []byte {
	b = append(b, `{"log":`...)
	b = appendJSONString(b, e.Log)
	b = append(b, `,"stream":`...)
	b = appendJSONString(b, e.Stream)
	b = append(b, `,"time":"`...)
	b = e.Time.AppendFormat(b, time.RFC3339Nano)
	return append(b, "\"}\n"...)
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as encoding/json does, but for HTML
// characters, which it keeps: control characters escaped, invalid UTF-8
// as U+FFFD, U+2028 and U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// LogFilter selects entries for `logs`.
type LogFilter struct {
	Since, Until time.Time // zero: no bound
	Tail         int       // < 0: all; else the last Tail entries, before Since/Until apply (docker's order)
}

// Keep reports whether e falls between Since and Until.
func (f LogFilter) Keep(e *LogEntry) bool { return f.keep(e) }

func (f LogFilter) keep(e *LogEntry) bool {
	return (f.Since.IsZero() || !e.Time.Before(f.Since)) && (f.Until.IsZero() || !e.Time.After(f.Until))
}

// ReadLog streams the entries of a log from offset to fn, one at a time,
// and returns the offset after the last complete line (a half-written
// line waits for the next read). With Tail it starts that many entries
// before the end, found by reading the file backwards, so neither a big
// log nor a long tail is held in memory.
func ReadLog(path string, offset int64, f LogFilter, fn func(LogEntry) error) (int64, error) {
	file, err := os.Open(path)
	if err != nil {
		if os.IsNotExist(err) {
			return offset, nil
		}
		return offset, err
	}
	defer file.Close()
	return readFrom(file, offset, f, fn)
}

// readFrom is ReadLog on an open file.
func readFrom(file *os.File, offset int64, f LogFilter, fn func(LogEntry) error) (int64, error) {
	if f.Tail >= 0 {
		fi, err := file.Stat()
		if err != nil {
			return offset, err
		}
		start, err := tailStart(file, fi.Size(), f.Tail)
		if err != nil {
			return offset, err
		}
		offset = max(offset, start)
	}
	if _, err := file.Seek(offset, io.SeekStart); err != nil {
		return offset, err
	}
	br := bufio.NewReaderSize(file, 64<<10)
	for {
		line, err := br.ReadBytes('\n')
		if err != nil { // EOF: a line without its newline is not done yet
			if err == io.EOF {
				err = nil
			}
			return offset, err
		}
		offset += int64(len(line))
		var e LogEntry
		if json.Unmarshal(bytes.TrimSuffix(line, []byte{'\n'}), &e) != nil || !f.keep(&e) {
			continue
		}
		if err := fn(e); err != nil {
			return offset, err
		}
	}
}

// tailStart returns the offset where the last n complete lines of r
// (size bytes) begin, reading backwards in blocks.
func tailStart(r io.ReaderAt, size int64, n int) (int64, error) {
	buf := make([]byte, 64<<10)
	seen := 0 // newlines met; the first ends the last complete line
	for pos := size; pos > 0; {
		k := min(int64(len(buf)), pos)
		pos -= k
		if _, err := r.ReadAt(buf[:k], pos); err != nil && err != io.EOF {
			return 0, err
		}
		for i := k - 1; i >= 0; i-- {
			if buf[i] != '\n' {
				continue
			}
			if seen++; seen == n+1 {
				return pos + i + 1, nil
			}
		}
	}
	return 0, nil
}

// LogFromFile wraps an already open log at path (a monitor handing it on
// across exec) as a LogWriter.
func LogFromFile(f *os.File, path string, rot LogRotation) *LogWriter {
	w := &LogWriter{f: f, path: path, rot: rot}
	if fi, err := f.Stat(); err == nil {
		w.size = fi.Size()
	}
	return w
}

// File is the open log, to hand on, with what is batched written first.
func (w *LogWriter) File() *os.File {
	w.Flush()
	return w.f
}
