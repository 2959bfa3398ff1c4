package monitor

import (
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ctr-lite/ctr-lite/lifecycle"
)

// consoleSocket receives a detached -t container's pty master from runc
// (runc create --console-socket), so the monitor owns the terminal.
type consoleSocket struct {
	path string
	l    *net.UnixListener
}

// listenConsole listens under the runroot; the name is short because a
// socket path may not exceed 107 bytes.
func listenConsole(runroot, id string) (*consoleSocket, error) {
	p := lifecycle.ConsoleSocketPath(runroot, id)
	os.Remove(p)
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: p, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("listen for the container's terminal: %w", err)
	}
	return &consoleSocket{path: p, l: l}, nil
}

// receive accepts runc's connection and takes the fd it sends.
func (cs *consoleSocket) receive() (*os.File, error) {
	cs.l.SetDeadline(time.Now().Add(10 * time.Second))
	conn, err := cs.l.AcceptUnix()
	if err != nil {
		return nil, fmt.Errorf("receive the container's terminal: %w", err)
	}
	defer conn.Close()
	buf, oob := make([]byte, 4096), make([]byte, unix.CmsgSpace(4))
	_, oobn, _, _, err := conn.ReadMsgUnix(buf, oob)
	if err != nil {
		return nil, fmt.Errorf("receive the container's terminal: %w", err)
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		return nil, errors.New("receive the container's terminal: no file descriptor in runc's message")
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 1 {
		return nil, errors.New("receive the container's terminal: no file descriptor in runc's message")
	}
	unix.CloseOnExec(fds[0]) // received fds are inheritable; runc must not get it
	return os.NewFile(uintptr(fds[0]), "pty-master"), nil
}

func (cs *consoleSocket) close() {
	cs.l.Close()
	os.Remove(cs.path)
}
