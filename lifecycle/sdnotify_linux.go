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

// ResumeNotifier is a Notifier for a container that runs already, its
// relay socket handed over (nil: none).
func ResumeNotifier(relay *os.File) *Notifier {
	if relay == nil || sdnotify.Socket() == "" {
		return nil
	}
	return &Notifier{socket: sdnotify.Socket(), mode: state.SdNotifyContainer, relay: relay}
}

// Started tells systemd the container runs: this process is the unit's
// main process, and in conmon mode the service is ready.
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
