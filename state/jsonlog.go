package state

import (
	"bufio"
	"bytes"
	"encoding/json"
	"github.com/ctr-lite/ctr-lite/internal/jsonfile"
	"io"
	"os"
	"time"
)

// LogEntry is one line of a container's <id>-json.log, in docker's
// json-file format (package jsonfile writes it).
type LogEntry = jsonfile.Entry

// MaxLogMessage is the most one entry holds (jsonfile.MaxMessage).
const MaxLogMessage = jsonfile.MaxMessage

// LogWriter appends entries to a json-file log, batched and rotated: the
// one implementation, shared with the small waiter (package jsonfile).
type LogWriter = jsonfile.Writer

// OpenLog opens (creating) a container's log for appending, rotated by
// rot; rotated files are gzipped in line with compress.
func OpenLog(path string, rot LogRotation) (*LogWriter, error) {
	w, err := jsonfile.Open(path, rot)
	if err != nil {
		return nil, err
	}
	w.Compress = CompressFile
	return w, nil
}

// LogFromFile wraps an already open log at path (a monitor handing it on
// across exec) as a LogWriter.
func LogFromFile(f *os.File, path string, rot LogRotation) *LogWriter {
	w := jsonfile.FromFile(f, path, rot)
	w.Compress = CompressFile
	return w
}

// CopyLines is jsonfile.CopyLines: r's lines, long ones in pieces.
func CopyLines(r io.Reader, fn func(chunk []byte, partial bool)) error {
	return jsonfile.CopyLines(r, fn)
}

// appendEntry is the writer's encoding of one entry (for the tests).
func appendEntry(b []byte, e LogEntry) []byte { return jsonfile.AppendEntry(b, e) }

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
