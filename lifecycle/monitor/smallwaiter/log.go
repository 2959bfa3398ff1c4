//go:build linux

package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ctr-lite/ctr-lite/lifecycle/monitor/waitproto"
)

// logger appends to the container's monitor.log, in the big monitor's
// format (slog's text handler), at the CLI's level. Errors drop the line.
type logger struct {
	mu    sync.Mutex
	path  string
	level int // -4 debug, 0 info, 4 warn, 8 error
	id    string
}

func newLogger(m *waitproto.Message) *logger {
	lv := 4
	switch strings.ToLower(m.LogLevel) {
	case "debug":
		lv = -4
	case "info":
		lv = 0
	case "error":
		lv = 8
	}
	return &logger{path: filepath.Join(m.Root, "containers", m.ID, "monitor.log"), level: lv, id: m.ID}
}

func (l *logger) Info(msg string, kv ...string) { l.line(0, "INFO", msg, nil, kv) }

// Warn is attach.Logger's method too (its args are key, value pairs).
func (l *logger) Warn(msg string, args ...any) {
	var err error
	var kv []string
	for _, a := range args {
		switch v := a.(type) {
		case error:
			err = v
		case string:
			kv = append(kv, v)
		}
	}
	l.line(4, "WARN", msg, err, kv)
}

func (l *logger) Error(msg string, err error) { l.line(8, "ERROR", msg, err, nil) }

func (l *logger) line(lv int, name, msg string, err error, kv []string) {
	if lv < l.level {
		return
	}
	b := []byte("time=")
	b = time.Now().AppendFormat(b, time.RFC3339Nano)
	b = append(b, " level="+name+" msg="...)
	b = strconv.AppendQuote(b, msg)
	b = append(b, " pid="+strconv.Itoa(os.Getpid())+" waiter=small container="+l.id...)
	for i := 0; i+1 < len(kv); i += 2 {
		b = append(b, ' ')
		b = append(b, kv[i]...)
		b = append(b, '=')
		b = strconv.AppendQuote(b, kv[i+1])
	}
	if err != nil {
		b = append(b, " error="...)
		b = strconv.AppendQuote(b, err.Error())
	}
	b = append(b, '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ferr := os.OpenFile(l.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if ferr != nil {
		return
	}
	f.Write(b)
	f.Close()
}
