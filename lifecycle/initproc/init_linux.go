package initproc

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"

	"golang.org/x/sys/unix"

	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/reexec"
	"github.com/ctr-lite/ctr-lite/specgen"
)

// --init bind-mounts ctr-lite read-only at specgen.InitPath inside the
// container; run under that name, the binary is a minimal init.
func init() { reexec.Register(specgen.InitPath, initMain) }

// initMain runs as PID 1 of a container: it starts the command after
// "--", passes on every signal it gets, reaps orphaned zombies, and exits
// with the command's status (128+N if it died of signal N).
func initMain() {
	args := os.Args[1:]
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "init: no command given")
		os.Exit(lifecycle.ExitCannotRun)
	}
	path, err := exec.LookPath(args[0])
	if err != nil {
		fmt.Fprintf(os.Stderr, "init: exec %q: %v\n", args[0], lifecycle.UnwrapExec(err))
		os.Exit(lifecycle.ExitNotFound)
	}
	sigs := make(chan os.Signal, 32)
	signal.Notify(sigs)
	child := &exec.Cmd{Path: path, Args: args, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
	if err := child.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "init: start %q: %v\n", args[0], err)
		os.Exit(lifecycle.ExitCannotRun)
	}
	go forwardSignals(sigs, child.Process)
	os.Exit(ReapUntil(child.Process.Pid))
}

func forwardSignals(sigs <-chan os.Signal, p *os.Process) {
	for s := range sigs {
		// SIGCHLD is ours; SIGURG is the Go runtime's own preemption signal.
		if s != unix.SIGCHLD && s != unix.SIGURG {
			p.Signal(s)
		}
	}
}

// ReapUntil reaps every child (orphans are re-parented to PID 1) and
// returns the status of pid once it exits.
func ReapUntil(pid int) int { return ReapUntilWith(pid, nil) }

// ReapUntilWith is ReapUntil handing every other child it reaps to
// other (nil: none), e.g. a monitor's health checks.
func ReapUntilWith(pid int, other func(int, unix.WaitStatus) bool) int {
	for {
		var ws unix.WaitStatus
		got, err := unix.Wait4(-1, &ws, 0, nil)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return lifecycle.ExitUnknownCode
		}
		if got != pid {
			if other != nil {
				other(got, ws)
			}
			continue
		}
		if ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ws.ExitStatus()
	}
}
