package state

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/ctr-lite/ctr-lite/internal/jsonfile"
	"io"
	"os"
	"strconv"

	units "github.com/docker/go-units"
)

// LogRotation is json-file's max-size, max-file and compress
// (jsonfile.Rotation), as docker names and rotates them.
type LogRotation = jsonfile.Rotation

// ParseLogRotation reads docker's json-file options from a LogConfig's
// Config, with docker's rules and words.
func ParseLogRotation(cfg map[string]string) (LogRotation, error) {
	r := LogRotation{MaxFiles: 1}
	if s, ok := cfg["max-size"]; ok && s != "-1" {
		n, err := units.RAMInBytes(s)
		if err != nil || n <= 0 {
			return r, fmt.Errorf("invalid --log-opt max-size=%s: want a positive size such as 10m", s)
		}
		r.MaxSize = n
	}
	if s, ok := cfg["max-file"]; ok {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return r, fmt.Errorf("invalid --log-opt max-file=%s: want a whole number of files, at least 1", s)
		}
		if n > 1 && r.MaxSize == 0 {
			return r, errors.New("max-file can not be set without max-size: add --log-opt max-size=SIZE")
		}
		r.MaxFiles = n
	}
	if s, ok := cfg["compress"]; ok {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return r, fmt.Errorf("invalid --log-opt compress=%s: want true or false", s)
		}
		if b && r.MaxFiles < 2 {
			return r, errors.New("compress can not be set when max-file is less than 2: add --log-opt max-file=N")
		}
		r.Compress = b
	}
	return r, nil
}

// CompressFile gzips src into dst (through a temporary name, so a reader
// never meets half a file) and removes src.
func CompressFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := dst + ".tmp"
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	zw := gzip.NewWriter(out)
	_, err = io.Copy(zw, in)
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, dst)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Remove(src)
}

// rotatedFiles lists the rotated files of path that exist, oldest first,
// plain or compressed (the options may have changed since they were
// written).
func rotatedFiles(path string) []string {
	var out []string
	for i := 1; ; i++ {
		name := path + "." + strconv.Itoa(i)
		if _, err := os.Stat(name); err == nil {
			out = append(out, name)
		} else if _, err := os.Stat(name + ".gz"); err == nil {
			out = append(out, name+".gz")
		} else {
			break
		}
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// readRotated streams the entries of one rotated file.
func readRotated(name string, fn func(LogEntry) error) error {
	f, err := os.Open(name)
	if err != nil {
		if os.IsNotExist(err) { // rotated away meanwhile
			return nil
		}
		return err
	}
	defer f.Close()
	var r io.Reader = f
	if len(name) > 3 && name[len(name)-3:] == ".gz" {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return fmt.Errorf("read rotated log %q: %w", name, err)
		}
		defer zr.Close()
		r = zr
	}
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 && line[len(line)-1] == '\n' {
			var e LogEntry
			if json.Unmarshal(bytes.TrimSuffix(line, []byte{'\n'}), &e) == nil {
				if err := fn(e); err != nil {
					return err
				}
			}
		}
		if err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

// LogReader reads a container's log across rotation: ReadLogFiles prints
// what is there and returns one, and Next prints what was added since.
// It keeps the current file open, so a rotation between two reads loses
// nothing: it finishes the old file through its descriptor first.
type LogReader struct {
	path string
	f    *os.File
	off  int64
}

// ReadLogFiles streams the rotated files, oldest first, then the current
// log, applying f (Tail counts across files, then Since/Until apply, as
// docker's order is).
func ReadLogFiles(path string, f LogFilter, fn func(LogEntry) error) (*LogReader, error) {
	r := &LogReader{path: path}
	cur, err := os.Open(path)
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	r.f = cur
	want := f.Tail // entries still wanted from the rotated files; <0: all
	if cur != nil && f.Tail >= 0 {
		fi, err := cur.Stat()
		if err != nil {
			return nil, err
		}
		start, err := tailStart(cur, fi.Size(), f.Tail)
		if err != nil {
			return nil, err
		}
		if start > 0 {
			want = 0
		} else {
			n, _ := countLines(cur, fi.Size())
			want = max(0, f.Tail-n)
		}
	}
	if want != 0 {
		if err := emitRotated(path, want, f, fn); err != nil {
			r.Close()
			return nil, err
		}
	}
	if cur != nil {
		if r.off, err = readFrom(cur, 0, f, fn); err != nil {
			r.Close()
			return nil, err
		}
	}
	return r, nil
}

// emitRotated passes the rotated files' entries on, only the last want
// of them when want >= 0 (held in a ring of want entries, each at most
// MaxLogMessage long).
func emitRotated(path string, want int, f LogFilter, fn func(LogEntry) error) error {
	var ring []LogEntry
	next := 0
	collect := func(e LogEntry) error {
		if want < 0 {
			if !f.keep(&e) {
				return nil
			}
			return fn(e)
		}
		if len(ring) < want {
			ring = append(ring, e)
		} else {
			ring[next] = e
			next = (next + 1) % want
		}
		return nil
	}
	for _, name := range rotatedFiles(path) {
		if err := readRotated(name, collect); err != nil {
			return err
		}
	}
	for i := range ring {
		e := ring[(next+i)%len(ring)]
		if f.keep(&e) {
			if err := fn(e); err != nil {
				return err
			}
		}
	}
	return nil
}

// countLines counts the newlines of r's first size bytes.
func countLines(r io.ReaderAt, size int64) (int, error) {
	buf := make([]byte, 64<<10)
	n := 0
	for pos := int64(0); pos < size; {
		k, err := r.ReadAt(buf[:min(int64(len(buf)), size-pos)], pos)
		n += bytes.Count(buf[:k], []byte{'\n'})
		pos += int64(k)
		if err != nil {
			if err == io.EOF {
				break
			}
			return n, err
		}
	}
	return n, nil
}

// Next passes on the entries added since the last read (Tail ignored).
// After a rotation it drains the old file, then reads the new one from
// its start; after a truncation (one file) it starts again at 0.
func (r *LogReader) Next(f LogFilter, fn func(LogEntry) error) error {
	f.Tail = -1
	var err error
	if r.f != nil {
		if fi, serr := r.f.Stat(); serr == nil && fi.Size() < r.off {
			r.off = 0 // truncated in place
		}
		if r.off, err = readFrom(r.f, r.off, f, fn); err != nil {
			return err
		}
	}
	st, err := os.Stat(r.path)
	if err != nil {
		return nil // not made yet, or removed with the container
	}
	if r.f != nil {
		if cur, err := r.f.Stat(); err == nil && os.SameFile(cur, st) {
			return nil
		}
		r.f.Close()
	}
	if r.f, err = os.Open(r.path); err != nil {
		r.f = nil
		return nil
	}
	r.off, err = readFrom(r.f, 0, f, fn)
	return err
}

// Close releases the reader's file.
func (r *LogReader) Close() {
	if r != nil && r.f != nil {
		r.f.Close()
	}
}
