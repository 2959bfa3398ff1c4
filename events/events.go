// Package events is the daemonless events log: every command and the
// monitor append one JSON line per event (docker's API record) to
// <root>/events.log, and `events` reads it back and follows it.
//
// Guarantee: a line is written with one write(2) on a file opened with
// O_APPEND while a shared flock is held, so lines of concurrent writers
// (many processes) never interleave. When the file passes MaxSize
// (CTR_LITE_EVENTS_MAX bytes, default 1 MiB) the writer takes the flock
// exclusively and renames it to events.log.1 (one old file is kept); a
// writer that opened the old file before the rename re-checks the inode
// under its lock and reopens, so no line is lost.
package events

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// File is the log's name under the root.
const File = "events.log"

// DefaultMaxSize is the size at which the log is rotated.
const DefaultMaxSize = 1 << 20

// Actor is the object an event is about, as docker's API has it.
type Actor struct {
	ID         string            `json:"ID"`
	Attributes map[string]string `json:"Attributes"`
}

// Message is one event, docker's events API record (with its legacy
// status/id/from fields for containers).
type Message struct {
	Status   string `json:"status,omitempty"`
	ID       string `json:"id,omitempty"`
	From     string `json:"from,omitempty"`
	Type     string `json:"Type"`
	Action   string `json:"Action"`
	Actor    Actor  `json:"Actor"`
	Scope    string `json:"scope"`
	Time     int64  `json:"time"`
	TimeNano int64  `json:"timeNano"`
}

// New makes an event of type typ now; attrs are name/value pairs.
func New(typ, action, id string, attrs map[string]string) Message {
	now := time.Now()
	if attrs == nil {
		attrs = map[string]string{}
	}
	m := Message{Type: typ, Action: action, Actor: Actor{ID: id, Attributes: attrs},
		Scope: "local", Time: now.Unix(), TimeNano: now.UnixNano()}
	if typ == "container" {
		m.Status, m.ID, m.From = action, id, attrs["image"]
	}
	return m
}

// Container is a container event: name, image and labels as attributes,
// plus extra name/value pairs (exitCode, signal).
func Container(id, name, image string, labels map[string]string, action string, extra ...string) Message {
	attrs := map[string]string{"name": name, "image": image}
	for k, v := range labels {
		attrs[k] = v
	}
	for i := 0; i+1 < len(extra); i += 2 {
		attrs[extra[i]] = extra[i+1]
	}
	return New("container", action, id, attrs)
}

// MaxSize is the rotation size: CTR_LITE_EVENTS_MAX or DefaultMaxSize.
func MaxSize() int64 {
	if n, err := strconv.ParseInt(os.Getenv("CTR_LITE_EVENTS_MAX"), 10, 64); err == nil && n > 0 {
		return n
	}
	return DefaultMaxSize
}

// Append writes m as one line to root's log, rotating it when it is full.
func Append(root string, m Message) error {
	line, err := json.Marshal(m)
	if err != nil {
		return err
	}
	line = append(line, '\n')
	path := filepath.Join(root, File)
	for range 3 {
		done, err := appendOnce(path, line)
		if done || err != nil {
			return err
		}
	}
	return errors.New("append event: the log kept rotating")
}

// appendOnce reports false when the file it opened was rotated away.
func appendOnce(path string, line []byte) (bool, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return false, err
	}
	defer f.Close()
	fd := int(f.Fd())
	if err := flockRetry(fd, unix.LOCK_SH); err != nil {
		return false, err
	}
	if !same(f, path) {
		return false, nil
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err == nil && st.Size+int64(len(line)) > MaxSize() {
		// Upgrade to rotate. flock drops the shared lock before it takes
		// the exclusive one, so another writer may have rotated meanwhile:
		// same() checks again.
		if err := flockRetry(fd, unix.LOCK_EX); err != nil {
			return false, err
		}
		if !same(f, path) {
			return false, nil
		}
		if err := unix.Fstat(fd, &st); err == nil && st.Size+int64(len(line)) > MaxSize() && st.Size > 0 {
			if err := os.Rename(path, path+".1"); err != nil {
				return false, err
			}
			return false, nil // write into the new file
		}
	}
	_, err = unix.Write(fd, line)
	return err == nil, err
}

// same reports whether f is still the file at path.
func same(f *os.File, path string) bool {
	a, err1 := f.Stat()
	b, err2 := os.Stat(path)
	return err1 == nil && err2 == nil && os.SameFile(a, b)
}

// Cursor is where ReadAll stopped: the current log, still open, and the
// length of its complete lines. Follow goes on from it, so a rotation
// between the two loses nothing.
type Cursor struct {
	f      *os.File
	offset int64
}

// Close releases the cursor's file.
func (c *Cursor) Close() {
	if c != nil && c.f != nil {
		c.f.Close()
	}
}

// ReadAll returns the logged events, oldest first (events.log.1, then
// events.log), and a cursor after them; lines that do not parse are
// skipped. It holds events.log's shared lock while it opens both files,
// so no writer rotates between them (rotation needs the exclusive lock).
func ReadAll(root string) ([]Message, *Cursor, error) {
	path := filepath.Join(root, File)
	cur, err := openLocked(path)
	if err != nil {
		return nil, nil, err
	}
	old, err := os.Open(path + ".1")
	if cur != nil {
		unix.Flock(int(cur.Fd()), unix.LOCK_UN)
	}
	var out []Message
	if err == nil {
		out, _ = scan(old)
		old.Close()
	} else if !errors.Is(err, os.ErrNotExist) {
		cur.Close()
		return nil, nil, err
	}
	c := &Cursor{f: cur}
	if cur != nil {
		var ms []Message
		ms, c.offset = scan(cur)
		out = append(out, ms...)
	}
	return out, c, nil
}

// openLocked opens path with its shared lock held, retrying if it was
// rotated away meanwhile; nil when there is no log yet.
func openLocked(path string) (*os.File, error) {
	for {
		f, err := os.Open(path)
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if err := flockRetry(int(f.Fd()), unix.LOCK_SH); err != nil {
			f.Close()
			return nil, err
		}
		if same(f, path) {
			return f, nil
		}
		f.Close()
	}
}

// flockRetry is flock(2) retried on EINTR.
func flockRetry(fd, how int) error {
	for {
		err := unix.Flock(fd, how)
		if err != unix.EINTR {
			return err
		}
	}
}

// scan reads f's complete lines and returns their events and length.
func scan(f *os.File) ([]Message, int64) {
	var out []Message
	var n int64
	rd := bufio.NewReaderSize(f, 64<<10)
	for {
		b, err := rd.ReadBytes('\n')
		if err != nil {
			return out, n
		}
		n += int64(len(b))
		var m Message
		if json.Unmarshal(b, &m) == nil {
			out = append(out, m)
		}
	}
}

// Follow calls fn for each event appended after the cursor (from
// ReadAll), polling every interval until stop is closed; when the log is
// rotated it drains the file it has open, then reads the new one from its
// start. It closes the cursor. (Two rotations within one interval would
// skip the middle file: at 1 MiB a rotation, that is 5 MiB of events a
// second.)
func Follow(root string, c *Cursor, interval time.Duration, stop <-chan struct{}, fn func(Message) bool) error {
	path := filepath.Join(root, File)
	f, offset := c.f, c.offset
	defer func() {
		if f != nil {
			f.Close()
		}
	}()
	var cur os.FileInfo
	var rd *bufio.Reader
	if f != nil {
		var err error
		if cur, err = f.Stat(); err != nil {
			return err
		}
		f.Seek(offset, io.SeekStart)
		rd = bufio.NewReaderSize(f, 64<<10)
	}
	var partial []byte
	for {
		if st, err := os.Stat(path); err == nil && (cur == nil || !os.SameFile(cur, st)) {
			if f != nil { // rotated: drain the old file, then start the new one at 0
				if !drain(rd, &partial, fn) {
					return nil
				}
				f.Close()
				partial = nil
			}
			nf, err := os.Open(path)
			if err != nil {
				f = nil
				return err
			}
			f, cur = nf, st
			rd = bufio.NewReaderSize(f, 64<<10)
		}
		if rd != nil && !drain(rd, &partial, fn) {
			return nil
		}
		select {
		case <-stop:
			return nil
		case <-time.After(interval):
		}
	}
}

// drain passes on the complete lines rd has; partial keeps a line read
// before its newline arrived.
func drain(rd *bufio.Reader, partial *[]byte, fn func(Message) bool) bool {
	if rd == nil {
		return true
	}
	for {
		b, err := rd.ReadBytes('\n')
		if err != nil {
			*partial = append(*partial, b...)
			return true
		}
		b = append(*partial, b...)
		*partial = nil
		var m Message
		if json.Unmarshal(b, &m) == nil && !fn(m) {
			return false
		}
	}
}

// Size is the current log's size (where Follow starts after ReadAll).
func Size(root string) int64 {
	st, err := os.Stat(filepath.Join(root, File))
	if err != nil {
		return 0
	}
	return st.Size()
}

// Image is an image event; docker names the image in ID and in name.
func Image(id, ref, action string) Message {
	if ref == "" {
		ref = id
	}
	return New("image", action, id, map[string]string{"name": ref})
}

// Network is a network event (container names the container for connect
// and disconnect).
func Network(id, name, action, container string) Message {
	attrs := map[string]string{"name": name, "type": "bridge"}
	if container != "" {
		attrs["container"] = container
	}
	return New("network", action, id, attrs)
}

// Volume is a volume event.
func Volume(name, action string) Message {
	return New("volume", action, name, map[string]string{"driver": "local"})
}
