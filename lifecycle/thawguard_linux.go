package lifecycle

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"

	"github.com/ctr-lite/ctr-lite/reexec"
)

// A commit that pauses a container holds it frozen while it reads the
// container's layer. A SIGKILL of ctr-lite then would leave it frozen
// (deferred thaws do not run), so before the freeze a thaw guard is
// started: a helper in its own session that waits on a pipe from the
// committing process. It exits quietly once told "ok" (the commit thawed
// the container itself); if the pipe closes without that, ctr-lite died,
// and the guard runs `ctr-lite unpause` on the container, which takes the
// container's lock (free once its holder is dead), thaws it and clears
// the paused mark.

const thawGuardEntry = "ctr-lite-thaw-guard"

func init() { reexec.Register(thawGuardEntry, thawGuardMain) }

// thawGuardMain is the guard: os.Args[1:] is the unpause command line.
func thawGuardMain() {
	msg, _ := io.ReadAll(os.Stdin)
	if string(msg) == "ok" || len(os.Args) < 2 {
		os.Exit(0)
	}
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Env = reexec.PlainEnv()
	if err := cmd.Run(); err != nil {
		os.Exit(1)
	}
	os.Exit(0)
}

// thawGuard is a started guard: release tells it the commit is done.
type thawGuard struct {
	cmd *exec.Cmd
	w   io.WriteCloser
}

// startThawGuard starts the guard of container id.
func (e *Engine) startThawGuard(id string) (*thawGuard, error) {
	args := []string{"/proc/self/exe", "--root", e.Root, "--runroot", e.RunRoot}
	if e.runtime != "" {
		args = append(args, "--runtime", e.runtime)
	}
	cmd := reexec.Command(thawGuardEntry, append(args, "unpause", id)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // not in a signal to our process group
	w, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("start the thaw guard: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the thaw guard: %w", err)
	}
	return &thawGuard{cmd: cmd, w: w}, nil
}

// release tells the guard to exit without acting, and reaps it.
func (g *thawGuard) release() {
	io.WriteString(g.w, "ok")
	g.w.Close()
	g.cmd.Wait()
}
