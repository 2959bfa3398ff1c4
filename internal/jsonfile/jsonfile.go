// Package jsonfile writes docker's json-file log format with its
// max-size/max-file rotation and file names. It is the one
// implementation: the big binary (package state) and the small waiter
// both write through it, so it imports the standard library only (and
// no encoding/json, compress/*: the small waiter's memory is what it
// links and touches). Compressing a rotated file is a hook: state
// gzips in line, the small waiter has the ctr-lite binary do it.
package jsonfile

import (
	"bufio"
	"errors"
	"io"
	"os"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// Entry is one line of a container's <id>-json.log, in docker's
// json-file format.
type Entry struct {
	Log    string    `json:"log"`
	Stream string    `json:"stream"`
	Time   time.Time `json:"time"`
}

// MaxMessage is the most one entry holds, docker's 16 KiB: a longer
// line is written as several partial entries, each without a trailing
// newline but the last, and readers concatenate them. So the copier's
// memory is bounded whatever a container writes.
const MaxMessage = 16 << 10

// Rotation is json-file's max-size, max-file and compress, as docker
// names and rotates them: the log is <id>-json.log, the rotated files
// <id>-json.log.1 (newest) to .N-1, each .gz with compress; max-file
// counts the current file.
type Rotation struct {
	MaxSize  int64 // 0: never rotate
	MaxFiles int   // at least 1
	Compress bool
}

// RotatedName is the i-th rotated file of path (1 is the newest).
func (r Rotation) RotatedName(path string, i int) string {
	name := path + "." + strconv.Itoa(i)
	if r.Compress {
		name += ".gz"
	}
	return name
}

// Writer appends entries to a json-file log; safe for the stdout and
// stderr copiers to share. Entries are batched: one write(2) per
// FlushSize bytes, and none waits longer than FlushDelay, so `logs -f`
// sees each line within that (a write per line made the monitor 7x
// slower than conmon).
type Writer struct {
	mu    sync.Mutex
	f     *os.File
	path  string
	rot   Rotation
	size  int64 // of f, written
	buf   []byte
	timer *time.Timer // pending flush, nil when buf is empty
	// Compress gzips a rotated file src into dst and removes src (with
	// Rotation.Compress). nil leaves src as it is.
	Compress func(src, dst string) error
}

const (
	FlushSize  = 64 << 10
	FlushDelay = 50 * time.Millisecond
)

// Open opens (creating) a container's log for appending, rotated by rot.
func Open(path string, rot Rotation) (*Writer, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	return FromFile(f, path, rot), nil
}

// FromFile wraps an already open log at path (a monitor handing it on
// across exec) as a Writer.
func FromFile(f *os.File, path string, rot Rotation) *Writer {
	w := &Writer{f: f, path: path, rot: rot}
	if fi, err := f.Stat(); err == nil {
		w.size = fi.Size()
	}
	return w
}

// File is the open log, to hand on, with what is batched written first.
func (w *Writer) File() *os.File {
	w.Flush()
	return w.f
}

// Close writes what is batched and closes the log.
func (w *Writer) Close() error {
	w.Flush()
	return w.f.Close()
}

// Flush writes the batched entries now.
func (w *Writer) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.flushLocked()
}

func (w *Writer) flushLocked() {
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
// a line longer than MaxMessage as partial entries. A last line without
// a newline is kept as it is.
func (w *Writer) Copy(stream string, r io.Reader) error {
	return CopyLines(r, func(chunk []byte, _ bool) { w.Write(stream, chunk, time.Now().UTC()) })
}

// CopyLines reads r until it ends, calling fn with each line (newline
// kept) or, for a line longer than MaxMessage, each piece of it but the
// last with partial set; chunk is only valid during the call. A last
// line without a newline is passed as it is, not partial.
func CopyLines(r io.Reader, fn func(chunk []byte, partial bool)) error {
	br := bufio.NewReaderSize(r, MaxMessage)
	for {
		chunk, err := br.ReadSlice('\n') // at most MaxMessage bytes
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

// Write appends one entry, msg as its log, at t.
func (w *Writer) Write(stream string, msg []byte, t time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := len(w.buf)
	w.buf = appendEntry(w.buf, msg, stream, t)
	if max := w.rot.MaxSize; max > 0 && w.size+int64(len(w.buf)) > max && w.size+int64(n) > 0 {
		// This entry starts the next file: what came before it is
		// written, then the log rotates.
		entry := append([]byte(nil), w.buf[n:]...)
		w.buf = w.buf[:n]
		w.flushLocked()
		w.rotateLocked()
		w.buf = append(w.buf, entry...)
	}
	if len(w.buf) >= FlushSize {
		w.flushLocked()
	} else if w.timer == nil {
		w.timer = time.AfterFunc(FlushDelay, w.Flush)
	}
}

// rotateLocked starts a new file: with one file the log is emptied (as
// docker does), else the rotated files move up one, the oldest goes and
// the current one becomes .1 (compressed with compress). If the new file
// cannot be made, the old one is kept: a log past its size beats a lost
// one. The caller holds w.mu and has flushed.
func (w *Writer) rotateLocked() {
	if w.rot.MaxFiles <= 1 {
		if w.f.Truncate(0) == nil {
			w.size = 0
		}
		return
	}
	os.Remove(w.rot.RotatedName(w.path, w.rot.MaxFiles-1))
	for i := w.rot.MaxFiles - 2; i >= 1; i-- {
		os.Rename(w.rot.RotatedName(w.path, i), w.rot.RotatedName(w.path, i+1))
	}
	if err := os.Rename(w.path, w.path+".1"); err != nil {
		return
	}
	f, err := os.OpenFile(w.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND|os.O_TRUNC, 0o600)
	if err != nil {
		os.Rename(w.path+".1", w.path)
		return
	}
	w.f.Close()
	w.f, w.size = f, 0
	if w.rot.Compress && w.Compress != nil {
		// In line, not in the background: a monitor may exit at any time.
		// The container waits on its pipe meanwhile, as on a slow disk.
		w.Compress(w.path+".1", w.rot.RotatedName(w.path, 1))
	}
}

// AppendEntry appends e as one line of docker's json-file format.
func AppendEntry(b []byte, e Entry) []byte {
	return appendEntry(b, []byte(e.Log), e.Stream, e.Time)
}

// appendEntry is hand-written because json.Marshal per line was most of
// the copier's time; state's test checks it against encoding/json.
func appendEntry(b, msg []byte, stream string, t time.Time) []byte {
	b = append(b, `{"log":`...)
	b = appendJSONString(b, msg)
	b = append(b, `,"stream":`...)
	b = appendJSONString(b, []byte(stream))
	b = append(b, `,"time":"`...)
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, "\"}\n"...)
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as encoding/json does, but for HTML
// characters, which it keeps: control characters escaped, invalid UTF-8
// as U+FFFD, U+2028 and U+2029 escaped.
func appendJSONString(b []byte, s []byte) []byte {
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
		r, size := utf8.DecodeRune(s[i:])
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
