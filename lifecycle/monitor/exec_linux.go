package monitor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/lifecycle/attach"
	"github.com/ctr-lite/ctr-lite/lifecycle/initproc"
	"github.com/ctr-lite/ctr-lite/reexec"
	"github.com/ctr-lite/ctr-lite/state"
)

// An exec -t process that the detach keys may leave running needs a
// holder of its terminal other than the CLI, as a container has its
// monitor: the exec monitor, ctr-lite re-executed in its own session,
// the child subreaper of `runc exec --detach` (so the process becomes
// its child when runc exits). It receives the pty master on a console
// socket, serves an attach socket named by the exec's ID (the CLI's
// only client: the output waits for it, as a foreground run's does),
// waits for the process, records exec_die with its status, tells the
// client and exits. Detached, the process's output is read and dropped
// (docker keeps none either). It holds no lock; the process ends with
// its container, and so does the exec monitor.
const execEntry = "ctr-lite-exec-monitor"

func init() { reexec.Register(execEntry, execMain) }

// execStart is the exec an exec monitor runs: PreparedExec's.
type execStart struct {
	ID          string   `json:"id"`
	Dir         string   `json:"dir"`
	Args        []string `json:"args"`
	Interactive bool     `json:"interactive,omitempty"`
}

// Exec runs o in container ref as docker's exec does: a -t process (not
// -d) through an exec monitor, attached as attach is, so that the detach
// keys (o.DetachKeys) leave it running and return nil; any other with
// lifecycle's Exec. It returns the process's status (an *ExitError when
// not 0).
func Exec(ctx context.Context, e *lifecycle.Engine, ref string, o lifecycle.ExecOptions, stdio lifecycle.Stdio) error {
	if err := lifecycle.CheckDetachKeys(o.DetachKeys); err != nil {
		return err
	}
	if !o.Tty || o.Detach {
		return e.Exec(ctx, ref, o, stdio)
	}
	size := foreground(stdio) // in the process: runc sizes its terminal before it runs
	o.Rows, o.Cols = size.Rows, size.Cols
	p, err := e.PrepareExec(ref, o)
	if err != nil {
		return err
	}
	x := &execStart{ID: p.ID, Dir: p.Dir, Args: p.Args, Interactive: o.Interactive}
	s := &supervisor{Engine: e}
	h := s.handover(p.Container.ID, handoverFile{Name: "status", FD: statusFD})
	h.Exec = x
	if err := s.spawn(execEntry, h); err != nil {
		os.RemoveAll(p.Dir)
		return err
	}
	return e.AttachExec(p.Container, p.ID, o.Interactive, o.DetachKeys, stdio)
}

func execMain() {
	h, e, status := enterMonitor()
	if h.Exec == nil {
		reportStatus(status, errors.New("read exec monitor hand-over: no exec in it"))
		os.Exit(2)
	}
	e.superviseExec(h.ID, h.Exec, status)
	os.Exit(0)
}

// superviseExec starts x, reports, serves its terminal until it exits and
// records exec_die.
func (e *supervisor) superviseExec(id string, x *execStart, status *os.File) {
	defer os.RemoveAll(x.Dir)
	c, err := e.Containers.Load(id)
	if err != nil {
		reportStatus(status, lifecycle.WithCode(lifecycle.ExitEngine, err))
		return
	}
	pid, pty, ln, err := e.startExec(c, x)
	if err != nil {
		e.Log.Warn("exec failed", "container", id, "error", err)
		reportStatus(status, err)
		return
	}
	reportStatus(status, nil)
	var out io.Writer = io.Discard
	var stdin *os.File
	if x.Interactive {
		stdin = pty
	}
	srv, err := attach.Serve(ln, attach.SocketPath(e.RunRoot, x.ID), stdin, pty, e.Log)
	if err != nil {
		e.Log.Warn("the exec cannot be attached to", "container", id, "error", err)
	} else {
		srv.AwaitClient(attachWait)
		out = srv.Writer(attach.Stdout)
	}
	copied := make(chan struct{})
	go func() { io.Copy(out, pty); close(copied) }() // ends with EIO once the process is gone
	code := initproc.ReapUntil(pid)
	select {
	case <-copied:
	case <-time.After(2 * time.Second): // a child it left keeps the terminal
	}
	pty.Close()
	e.Event(c, "exec_die", "execID", x.ID, "exitCode", strconv.Itoa(code))
	if srv != nil {
		srv.Exit(code)
	}
}

// startExec runs `runc exec --detach` of x with a terminal, whose master
// it receives, and binds the exec's attach socket.
func (e *supervisor) startExec(c *state.Container, x *execStart) (pid int, pty, ln *os.File, retErr error) {
	console, err := listenConsole(e.RunRoot, x.ID)
	if err != nil {
		return 0, nil, nil, lifecycle.WithCode(lifecycle.ExitEngine, err)
	}
	defer console.close()
	if ln, err = attach.Listen(e.RunRoot, x.ID); err != nil {
		return 0, nil, nil, lifecycle.WithCode(lifecycle.ExitEngine, err)
	}
	defer func() {
		if retErr != nil {
			ln.Close()
			os.Remove(attach.SocketPath(e.RunRoot, x.ID))
		}
	}()
	log := filepath.Join(x.Dir, "runc.log")
	args := append(append([]string{"--log", log, "--log-format", "json"}, x.Args...), "--detach", "--console-socket", console.path, c.ID)
	if err := e.RuncFor(c, args...).Run(); err != nil {
		msg := lifecycle.RuntimeError(log)
		return 0, nil, nil, &lifecycle.ExitError{Code: lifecycle.CodeForRuntimeMessage(msg), Err: fmt.Errorf("exec in %q: %s", c.Name, msg)}
	}
	if pty, err = console.receive(); err != nil {
		return 0, nil, nil, lifecycle.WithCode(lifecycle.ExitEngine, err)
	}
	data, err := os.ReadFile(filepath.Join(x.Dir, "pid"))
	if err == nil {
		pid, err = strconv.Atoi(strings.TrimSpace(string(data)))
	}
	if err != nil {
		pty.Close()
		return 0, nil, nil, lifecycle.WithCode(lifecycle.ExitEngine, fmt.Errorf("read the exec'd process's pid: %w", err))
	}
	return pid, pty, ln, nil
}
