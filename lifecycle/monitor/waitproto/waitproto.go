// Package waitproto is the hand-over between the monitor (the ctr-lite
// binary) and the small waiter it execs into, and from the small waiter
// to the ctr-lite entries it runs once the container exited (finish,
// restart). The format is lines of `key "quoted value"` (strconv
// quoting), a key repeated for a list: parsed without encoding/json or
// reflection, so the small waiter links and touches little. It imports
// the standard library only.
package waitproto

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Env is the environment variable carrying the message (unset by the
// receiver at once).
const Env = "CTR_LITE_WAITER_HANDOVER"

// Version is the format's version; a receiver refuses another.
const Version = 1

// File names one inherited descriptor, at the number it had in the
// sender (an exec keeps numbers).
type File struct {
	Name string
	FD   int
}

// Health is a container's check schedule (health.Config as plain data):
// each check is the ctr-lite binary run with Args (Args[0] included).
type Health struct {
	Args                                          []string
	Interval, Timeout, StartPeriod, StartInterval time.Duration
	Started                                       time.Time
}

// Message is what the small waiter needs, and what it passes on.
type Message struct {
	ID                                                                  string
	Root, RunRoot, Runtime, StorageDriver, DefaultSubnet, DefaultBridge string
	LogLevel                                                            string
	Pid                                                                 int           // the container's init
	Backoff                                                             time.Duration // before the run waited on (0: first)
	SdNotify                                                            string        // --sdnotify mode ("": nothing to tell)
	Files                                                               []File
	// Driver is the log driver: json-file, journald or none.
	Driver   string
	LogPath  string // json-file
	MaxSize  int64
	MaxFiles int
	Compress bool
	// Journal is journald's fields common to every entry, KEY=VALUE.
	Journal []string
	Health  *Health
	// Code is the container's exit status, Exit the monitor's (finish
	// and restart only; -1: not known yet).
	Code, Exit int
}

// Encode writes m in the line format.
func (m *Message) Encode() string {
	var b strings.Builder
	put := func(k, v string) {
		b.WriteString(k)
		b.WriteByte(' ')
		b.WriteString(strconv.Quote(v))
		b.WriteByte('\n')
	}
	num := func(k string, n int64) { put(k, strconv.FormatInt(n, 10)) }
	num("version", Version)
	for _, kv := range [][2]string{{"id", m.ID}, {"root", m.Root}, {"runroot", m.RunRoot}, {"runtime", m.Runtime},
		{"storage-driver", m.StorageDriver}, {"default-subnet", m.DefaultSubnet}, {"default-bridge", m.DefaultBridge},
		{"log-level", m.LogLevel}, {"sdnotify", m.SdNotify}, {"driver", m.Driver}, {"log-path", m.LogPath}} {
		if kv[1] != "" {
			put(kv[0], kv[1])
		}
	}
	num("pid", int64(m.Pid))
	num("backoff", int64(m.Backoff))
	num("max-size", m.MaxSize)
	num("max-files", int64(m.MaxFiles))
	if m.Compress {
		put("compress", "true")
	}
	num("code", int64(m.Code))
	num("exit", int64(m.Exit))
	for _, f := range m.Files {
		put("file", f.Name+"="+strconv.Itoa(f.FD))
	}
	for _, j := range m.Journal {
		put("journal", j)
	}
	if h := m.Health; h != nil {
		for _, a := range h.Args {
			put("health-arg", a)
		}
		num("health-interval", int64(h.Interval))
		num("health-timeout", int64(h.Timeout))
		num("health-start-period", int64(h.StartPeriod))
		num("health-start-interval", int64(h.StartInterval))
		num("health-started", h.Started.UnixNano())
	}
	return b.String()
}

// Parse reads a message and checks it names a container.
func Parse(s string) (*Message, error) {
	if s == "" {
		return nil, fmt.Errorf("read waiter hand-over: %s is not set: this program is started by ctr-lite only", Env)
	}
	m := &Message{Code: -1, Exit: -1}
	version := -1
	for n, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		k, q, ok := strings.Cut(line, " ")
		v, err := strconv.Unquote(q)
		if !ok || err != nil {
			return nil, fmt.Errorf("read waiter hand-over: line %d %q is not `key \"value\"`", n+1, line)
		}
		if err := m.set(k, v, &version); err != nil {
			return nil, fmt.Errorf("read waiter hand-over: %s: %w", k, err)
		}
	}
	if version != Version {
		return nil, fmt.Errorf("read waiter hand-over: version %d, this binary speaks version %d: the ctr-lite binary changed under a running container; stop it with the binary that started it", version, Version)
	}
	if m.ID == "" || m.Root == "" || m.RunRoot == "" {
		return nil, errors.New("read waiter hand-over: no container ID or root")
	}
	return m, nil
}

// set stores one key; unknown keys are an error (a newer sender would
// have changed Version).
func (m *Message) set(k, v string, version *int) error {
	if p := m.str(k); p != nil {
		*p = v
		return nil
	}
	if strings.HasPrefix(k, "health-") {
		return m.setHealth(k, v)
	}
	switch k {
	case "compress":
		m.Compress = v == "true"
		return nil
	case "file":
		name, fd, _ := strings.Cut(v, "=")
		n, err := strconv.Atoi(fd)
		if err != nil || name == "" || n < 0 {
			return fmt.Errorf("%q is not name=fd", v)
		}
		m.Files = append(m.Files, File{Name: name, FD: n})
		return nil
	case "journal":
		m.Journal = append(m.Journal, v)
		return nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return fmt.Errorf("%q is not a number", v)
	}
	switch k {
	case "version":
		*version = int(n)
	case "pid":
		m.Pid = int(n)
	case "backoff":
		m.Backoff = time.Duration(n)
	case "max-size":
		m.MaxSize = n
	case "max-files":
		m.MaxFiles = int(n)
	case "code":
		m.Code = int(n)
	case "exit":
		m.Exit = int(n)
	default:
		return errors.New("unknown key")
	}
	return nil
}

func (m *Message) str(k string) *string {
	switch k {
	case "id":
		return &m.ID
	case "root":
		return &m.Root
	case "runroot":
		return &m.RunRoot
	case "runtime":
		return &m.Runtime
	case "storage-driver":
		return &m.StorageDriver
	case "default-subnet":
		return &m.DefaultSubnet
	case "default-bridge":
		return &m.DefaultBridge
	case "log-level":
		return &m.LogLevel
	case "sdnotify":
		return &m.SdNotify
	case "driver":
		return &m.Driver
	case "log-path":
		return &m.LogPath
	}
	return nil
}

func (m *Message) setHealth(k, v string) error {
	if m.Health == nil {
		m.Health = &Health{}
	}
	h := m.Health
	if k == "health-arg" {
		h.Args = append(h.Args, v)
		return nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return fmt.Errorf("%q is not a number", v)
	}
	switch k {
	case "health-interval":
		h.Interval = time.Duration(n)
	case "health-timeout":
		h.Timeout = time.Duration(n)
	case "health-start-period":
		h.StartPeriod = time.Duration(n)
	case "health-start-interval":
		h.StartInterval = time.Duration(n)
	case "health-started":
		h.Started = time.Unix(0, n)
	default:
		return errors.New("unknown key")
	}
	return nil
}

// FD is the descriptor named name (-1: none).
func (m *Message) FD(name string) int {
	for _, f := range m.Files {
		if f.Name == name {
			return f.FD
		}
	}
	return -1
}
