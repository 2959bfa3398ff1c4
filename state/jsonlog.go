package state

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"sync"
	"time"
)

// LogEntry is one line of a container's <id>-json.log, in docker's
// json-file format.
type LogEntry struct {
	Log    string    `json:"log"`
	Stream string    `json:"stream"`
	Time   time.Time `json:"time"`
}

// LogWriter appends entries to a json-file log; safe for the stdout and
// stderr copiers to share.
type LogWriter struct {
	mu sync.Mutex
	f  *os.File
}

// OpenLog opens (creating) a container's log for appending.
func OpenLog(path string) (*LogWriter, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	return &LogWriter{f: f}, nil
}

// Close closes the log.
func (w *LogWriter) Close() error { return w.f.Close() }

// Copy reads r line by line into the log as stream until r ends. A last
// line without a newline is kept as it is.
func (w *LogWriter) Copy(stream string, r io.Reader) error {
	br := bufio.NewReaderSize(r, 16<<10)
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			w.write(LogEntry{Log: line, Stream: stream, Time: time.Now().UTC()})
		}
		if err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

func (w *LogWriter) write(e LogEntry) {
	data, err := json.Marshal(e)
	if err != nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.f.Write(append(data, '\n'))
}

// LogFilter selects entries for `logs`.
type LogFilter struct {
	Since, Until time.Time // zero: no bound
	Tail         int       // < 0: all
}

// ReadLog decodes the entries of a log from offset, returning the
// selected ones and the offset after the last complete line.
func ReadLog(path string, offset int64, f LogFilter) ([]LogEntry, int64, error) {
	file, err := os.Open(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, offset, nil
		}
		return nil, offset, err
	}
	defer file.Close()
	if _, err := file.Seek(offset, io.SeekStart); err != nil {
		return nil, offset, err
	}
	data, err := io.ReadAll(file)
	if err != nil {
		return nil, offset, err
	}
	end := bytes.LastIndexByte(data, '\n') + 1 // a half-written line waits
	var out []LogEntry
	for _, line := range bytes.Split(data[:end], []byte{'\n'}) {
		var e LogEntry
		if len(line) == 0 || json.Unmarshal(line, &e) != nil {
			continue
		}
		if (!f.Since.IsZero() && e.Time.Before(f.Since)) || (!f.Until.IsZero() && e.Time.After(f.Until)) {
			continue
		}
		out = append(out, e)
	}
	if f.Tail >= 0 && len(out) > f.Tail {
		out = out[len(out)-f.Tail:]
	}
	return out, offset + int64(end), nil
}

// LogFromFile wraps an already open log (a monitor handing it on across
// exec) as a LogWriter.
func LogFromFile(f *os.File) *LogWriter { return &LogWriter{f: f} }

// File is the open log, to hand on.
func (w *LogWriter) File() *os.File { return w.f }
