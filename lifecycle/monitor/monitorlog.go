package monitor

import (
	"context"
	"log/slog"
	"os"
	"sync"
)

// A detached container's monitor has no terminal: it logs to
// <container dir>/monitor.log (inspect's MonitorLogPath) at the level of
// the CLI that started it, so failures in its teardown, restarts and
// cleanup can be found. The file is capped at monitorLogMax; the older
// half lives on in monitor.log.1 until the next rotation.
const monitorLogMax = 1 << 20

// levelOf is the lowest level l logs, to hand to a monitor.
func levelOf(l *slog.Logger) slog.Level {
	for _, lv := range []slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn} {
		if l.Enabled(context.Background(), lv) {
			return lv
		}
	}
	return slog.LevelError
}

// monitorLogger logs to path at level (a name as slog parses it; "" or a
// bad one: warn, the CLI's default).
func monitorLogger(path, level string) *slog.Logger {
	var lv slog.Level
	if lv.UnmarshalText([]byte(level)) != nil {
		lv = slog.LevelWarn
	}
	w := &cappedFile{path: path, max: monitorLogMax}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: lv})).With("pid", os.Getpid())
}

// cappedFile appends to path, rotating it to path.1 once it would exceed
// max. Errors drop the line: logging must never stop the monitor.
type cappedFile struct {
	mu   sync.Mutex
	path string
	max  int64
	f    *os.File
	size int64
}

func (c *cappedFile) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.f != nil && c.size+int64(len(p)) > c.max {
		c.f.Close()
		c.f = nil
		os.Rename(c.path, c.path+".1")
	}
	if c.f == nil && !c.open() {
		return len(p), nil
	}
	n, _ := c.f.Write(p)
	c.size += int64(n)
	return len(p), nil
}

func (c *cappedFile) open() bool {
	f, err := os.OpenFile(c.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return false
	}
	c.f, c.size = f, 0
	if fi, err := f.Stat(); err == nil {
		c.size = fi.Size()
	}
	return true
}
