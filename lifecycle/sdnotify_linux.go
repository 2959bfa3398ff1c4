package lifecycle

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/ctr-lite/ctr-lite/internal/sdnotify"
	"github.com/ctr-lite/ctr-lite/specgen"
	"github.com/ctr-lite/ctr-lite/state"
)

// --sdnotify: the process that starts a container (its monitor, or the
// CLI of a foreground run) is what systemd sees of a Type=notify unit.
// It sends MAINPID (itself) once the container runs, and READY=1 in
// conmon mode; in container mode the service inside sends READY=1 on a
// socket of the monitor's, bound in at /run/notify, which the monitor
// relays: the container runs in a cgroup of its own, where systemd's
// NotifyAccess=all would not hear it. Without NOTIFY_SOCKET nothing
// happens. runc never sees NOTIFY_SOCKET (RuncFor): its own relay would
// make `runc start` wait for the service.

// notifyInContainer is the socket a container-mode service sends to.
const notifyInContainer = "/run/notify/notify.sock"

// SdNotifyMode is c's --sdnotify mode, podman's default filled in.
func SdNotifyMode(c *state.Container) string {
	if c.Config.SdNotify == "" {
		return state.SdNotifyContainer
	}
	return c.Config.SdNotify
}

// notifyDir is the host directory bound at /run/notify (in the bundle,
// so that releasing the runtime removes it).
func (e *Engine) notifyDir(id string) string { return filepath.Join(e.BundleDir(id), "notify") }

// notifySpec gives the container its side of --sdnotify: no
// NOTIFY_SOCKET with ignore; with container and a socket to relay to, the
// relay's directory (its user's, so a non-root service can send) and
// NOTIFY_SOCKET pointing into it.
func (e *Engine) notifySpec(c *state.Container, in *specgen.Input) error {
	mode := SdNotifyMode(c)
	if mode == state.SdNotifyIgnore {
		in.Env = sdnotify.Without(in.Env)
	}
	if mode != state.SdNotifyContainer || sdnotify.Socket() == "" {
		return nil
	}
	dir := e.notifyDir(c.ID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return WithCode(ExitEngine, fmt.Errorf("make the notify directory %q: %w", dir, err))
	}
	if err := os.Chown(dir, int(in.User.UID), int(in.User.GID)); err != nil {
		return WithCode(ExitEngine, fmt.Errorf("give the notify directory %q to the container's user: %w", dir, err))
	}
	in.Mounts = append(in.Mounts, state.MountPoint{Type: state.MountBind, Source: dir, Destination: filepath.Dir(notifyInContainer)})
	in.Env = append(sdnotify.Without(in.Env), sdnotify.Env+"="+notifyInContainer)
	return nil
}

// Notifier is the starting process's side of --sdnotify for one start.
type Notifier struct {
	socket, mode string
	relay        *os.File // container mode: the socket the service sends to
	stop         func()
}

// OpenNotifier prepares c's notifications, after PrepareStart wrote its
// spec: in container mode it makes the socket the service will send to.
// With ignore, this process forgets NOTIFY_SOCKET, and so does what it
// starts. A nil *Notifier (no socket) does nothing.
func (e *Engine) OpenNotifier(c *state.Container) (*Notifier, error) {
	mode := SdNotifyMode(c)
	if mode == state.SdNotifyIgnore {
		os.Unsetenv(sdnotify.Env)
	}
	socket := sdnotify.Socket()
	if socket == "" || mode == state.SdNotifyIgnore {
		return nil, nil
	}
	n := &Notifier{socket: socket, mode: mode}
	if mode == state.SdNotifyContainer {
		f, err := sdnotify.Listen(filepath.Join(e.notifyDir(c.ID), filepath.Base(notifyInContainer)))
		if err != nil {
			return nil, WithCode(ExitEngine, err)
		}
		n.relay = f
	}
	return n, nil
}

// ResumeNotifier is the Notifier of a container that runs already, after
// an exec: its mode and its relay socket (nil: none), handed over.
func ResumeNotifier(mode string, relay *os.File) *Notifier {
	if mode == "" || sdnotify.Socket() == "" {
		if relay != nil {
			relay.Close()
		}
		return nil
	}
	return &Notifier{socket: sdnotify.Socket(), mode: mode, relay: relay}
}

// Mode is the --sdnotify mode, for a hand-over ("": nothing to send).
func (n *Notifier) Mode() string {
	if n == nil {
		return ""
	}
	return n.mode
}

// A monitor tells systemd in two steps, neither while it execs into its
// waiter: systemd checks a new MAINPID in /proc at once, and a Go
// process in execve can look gone or a zombie for a moment, which makes
// systemd refuse it (and later take the exit of the run that started
// the monitor for the service's end). Announce (before the runtime
// starts the container) names the monitor, so the run's exit does not
// matter; Ready (from the waiter) follows once the container runs.

// Announce tells systemd that this process is the unit's main process.
func (n *Notifier) Announce() error {
	if n == nil {
		return nil
	}
	return sdnotify.Send(n.socket, "MAINPID="+strconv.Itoa(os.Getpid()))
}

// Ready says, in conmon mode, that the service is ready: its container
// runs. (container mode: the service says so; healthy: its first
// passing health check does.)
func (n *Notifier) Ready() error {
	if n == nil || n.mode != state.SdNotifyConmon {
		return nil
	}
	return sdnotify.Send(n.socket, "READY=1")
}

// Started is Announce and Ready in one message, for a foreground run,
// which execs nothing.
func (n *Notifier) Started() error {
	if n == nil {
		return nil
	}
	msg := "MAINPID=" + strconv.Itoa(os.Getpid())
	if n.mode == state.SdNotifyConmon {
		msg += "\nREADY=1"
	}
	return sdnotify.Send(n.socket, msg)
}

// Relay is the container-mode socket, for a hand-over (nil: none).
func (n *Notifier) Relay() *os.File {
	if n == nil {
		return nil
	}
	return n.relay
}

// StartRelay forwards what the service sends until Close.
func (n *Notifier) StartRelay() {
	if n == nil || n.relay == nil || n.stop != nil {
		return
	}
	n.stop = sdnotify.Relay(n.relay, n.socket)
	n.relay = nil // Relay owns it now
}

// Close ends the relay.
func (n *Notifier) Close() {
	if n == nil {
		return
	}
	if n.stop != nil {
		n.stop()
	}
	if n.relay != nil {
		n.relay.Close()
	}
}
