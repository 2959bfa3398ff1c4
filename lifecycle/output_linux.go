package lifecycle

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ctr-lite/ctr-lite/state"
)

// output carries the container's stdout and stderr into its json log,
// and for an attached run also to the terminal (tee).
type Output struct {
	Log              LogSink
	StdoutR, StderrR *os.File
	StdoutW, StderrW *os.File
	PTY              *os.File // the terminal's master end (run -t), or nil
	// StdinR and StdinW are a detached -i container's stdin pipe: the
	// container reads StdinR, the monitor keeps StdinW open for attach
	// clients (docker keeps a -di container's stdin open between them).
	StdinR, StdinW *os.File
	// Attach is the attach socket's listening descriptor (detached only).
	Attach         *os.File
	teeOut, teeErr io.Writer
	wg             sync.WaitGroup
}

// LogPath is where container id's json-file log lives.
func (e *Engine) LogPath(id string) string {
	return filepath.Join(e.Containers.Dir(id), id+"-json.log")
}

// LogRotation is container id's --log-opt max-size, max-file and
// compress (checked at create; none if its record cannot be read).
func (e *Engine) LogRotation(id string) state.LogRotation {
	if hc, err := e.Containers.LoadHostConfig(id); err == nil {
		if r, err := state.ParseLogRotation(hc.LogConfig.Config); err == nil {
			return r
		}
	}
	return state.LogRotation{MaxFiles: 1}
}

// LogSink is where a log driver puts the container's output.
type LogSink interface {
	Copy(stream string, r io.Reader) error
	Close() error
	// File is the descriptor a monitor hands over to its waiter, nil
	// when the waiter opens the sink again itself (OpenLogSink).
	File() *os.File
}

// discardLog is --log-driver none: the output is read (attach clients
// still get it through the tee) and dropped.
type discardLog struct{}

func (discardLog) Copy(_ string, r io.Reader) error { _, err := io.Copy(io.Discard, r); return err }
func (discardLog) Close() error                     { return nil }
func (discardLog) File() *os.File                   { return nil }

// LogDriver is container id's --log-driver (json-file if its record
// cannot be read).
func (e *Engine) LogDriver(id string) string {
	if hc, err := e.Containers.LoadHostConfig(id); err == nil && hc.LogConfig.Type != "" {
		return hc.LogConfig.Type
	}
	return "json-file"
}

// logsRead reports whether container id's driver records its output,
// so that an attached run must copy it (none and passthrough do not).
func (e *Engine) logsRead(id string) bool {
	d := e.LogDriver(id)
	return d != "none" && d != "passthrough"
}

// OpenLogSink opens container id's log driver; f, if not nil, is the
// json-file log a monitor handed over.
func (e *Engine) OpenLogSink(id string, f *os.File) (LogSink, error) {
	switch d := e.LogDriver(id); d {
	case "none":
		return discardLog{}, nil
	case "json-file":
		if f != nil {
			return state.LogFromFile(f, e.LogPath(id), e.LogRotation(id)), nil
		}
		return state.OpenLog(e.LogPath(id), e.LogRotation(id))
	case "journald":
		return e.openJournald(id)
	default:
		return nil, fmt.Errorf("log driver %s cannot take the output of a detached container", d)
	}
}

func (e *Engine) OpenOutput(id string) (*Output, error) {
	log, err := e.OpenLogSink(id, nil)
	if err != nil {
		return nil, fmt.Errorf("open container log: %w", err)
	}
	o := &Output{Log: log}
	if o.StdoutR, o.StdoutW, err = os.Pipe(); err == nil {
		o.StderrR, o.StderrW, err = os.Pipe()
	}
	if err != nil {
		o.close()
		return nil, err
	}
	return o, nil
}

// startCopying closes our write ends (the container holds its own) and
// copies both streams into the log; a terminal's output is stdout (it has
// one stream) and ends with EIO once the container is gone.
func (o *Output) StartCopying() {
	for _, w := range []*os.File{o.StdoutW, o.StderrW} {
		if w != nil {
			w.Close()
		}
	}
	o.wg.Add(2)
	go func() { defer o.wg.Done(); o.Log.Copy("stdout", tee(o.StdoutR, o.teeOut)) }()
	go func() { defer o.wg.Done(); o.Log.Copy("stderr", tee(o.StderrR, o.teeErr)) }()
	if o.PTY != nil {
		o.wg.Add(1)
		go func() { defer o.wg.Done(); o.Log.Copy("stdout", tee(o.PTY, o.teeOut)) }()
	}
}

// OpenStdin makes the stdin pipe of a detached -i container.
func (o *Output) OpenStdin() error {
	var err error
	if o.StdinR, o.StdinW, err = os.Pipe(); err != nil {
		return fmt.Errorf("make the container's stdin pipe: %w", err)
	}
	return nil
}

// Tee copies the output to stdout and stderr too, besides the log; they
// must not block (the attach server's writers do not).
func (o *Output) Tee(stdout, stderr io.Writer) { o.teeOut, o.teeErr = stdout, stderr }

func tee(r io.Reader, w io.Writer) io.Reader {
	if w == nil {
		return r
	}
	return io.TeeReader(r, w)
}

// wait lets the copiers drain; a process the container left running may
// keep the pipes open, so it waits at most timeout.
func (o *Output) Wait(timeout time.Duration) {
	done := make(chan struct{})
	go func() { o.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(timeout):
	}
	o.close()
}

func (o *Output) close() {
	for _, f := range []*os.File{o.StdoutR, o.StderrR, o.StdoutW, o.StderrW, o.PTY, o.StdinR, o.StdinW, o.Attach} {
		if f != nil {
			f.Close()
		}
	}
	o.Log.Close()
}

// MonitorLogPath is where container id's monitor logs.
func (e *Engine) MonitorLogPath(id string) string {
	return filepath.Join(e.Containers.Dir(id), "monitor.log")
}

// DiscardLog is a sink that drops the output (the monitor's fallback
// when its driver cannot be opened, so the container is still waited).
func DiscardLog() LogSink { return discardLog{} }
