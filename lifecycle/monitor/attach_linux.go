package monitor

import (
	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/lifecycle/attach"
	"github.com/ctr-lite/ctr-lite/state"
)

// prepareAttach makes, before the container starts, what attach clients
// use: a -i container's stdin pipe (a -t one reads its pty) and the
// attach socket, bound before start reports so that an attach right
// after run -d finds it.
func (e *supervisor) prepareAttach(c *state.Container, out *lifecycle.Output) error {
	if c.Config.OpenStdin && !c.Config.Tty {
		if err := out.OpenStdin(); err != nil {
			return lifecycle.WithCode(lifecycle.ExitEngine, err)
		}
	}
	ln, err := attach.Listen(e.RunRoot, c.ID)
	if err != nil {
		return lifecycle.WithCode(lifecycle.ExitEngine, err)
	}
	out.Attach = ln
	return nil
}

// serveAttach serves the attach socket out carries (nil: none, the
// container runs unattachable) and tees the output to its clients.
func (e *supervisor) serveAttach(id string, out *lifecycle.Output) *attach.Server {
	if out.Attach == nil {
		return nil
	}
	ln := out.Attach
	out.Attach = nil // Serve owns it
	stdin := out.StdinW
	if out.PTY != nil {
		if c, err := e.Containers.Load(id); err == nil && c.Config.OpenStdin {
			stdin = out.PTY
		}
	}
	srv, err := attach.Serve(ln, attach.SocketPath(e.RunRoot, id), stdin, out.PTY, e.Log)
	if err != nil {
		e.Log.Warn("the container cannot be attached to", "container", id, "error", err)
		return nil
	}
	out.Tee(srv.Writer(attach.Stdout), srv.Writer(attach.Stderr))
	return srv
}
