package lifecycle

import (
	"fmt"
	"golang.org/x/sys/unix"
	"os"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/ctr-lite/ctr-lite/opts"
	"github.com/ctr-lite/ctr-lite/specgen"
	"github.com/ctr-lite/ctr-lite/state"
)

// namespaceSpec resolves --pid and --ipc container:NAME to the running
// target's namespaces, as docker does; a target that is not running is
// refused, and --ipc only joins a shareable (or host) donor. The files of
// an earlier spec (a restart in the monitor) are closed first.
func (e *Engine) namespaceSpec(hc *state.HostConfig, in *specgen.Input) error {
	for _, f := range e.heldNS {
		f.Close()
	}
	e.heldNS = nil
	for _, j := range []struct {
		mode, what string
		t          specs.LinuxNamespaceType
	}{{hc.PidMode, "pid", specs.PIDNamespace}, {hc.IpcMode, "ipc", specs.IPCNamespace}} {
		ref, ok := strings.CutPrefix(j.mode, opts.ModeContainer)
		if !ok {
			continue
		}
		path, err := e.joinNamespace(in.ID, ref, j.what, &in.ShmPath)
		if err != nil {
			return err
		}
		if in.NSPaths == nil {
			in.NSPaths = map[specs.LinuxNamespaceType]string{}
		}
		in.NSPaths[j.t] = path
	}
	return nil
}

// joinNamespace opens the what namespace of running container ref and
// returns a path to the open file, /proc/<ctr-lite's pid>/fd/N, for runc:
// the target is checked to be the same process (its recorded start time)
// after the open, so a PID recycled between the lookup and runc's setns
// cannot hand the container another process's namespace. The file stays
// open in the Engine (this process outlives runc create). Joining ipc
// also sets *shm to the joiner's (id's) hold on the donor's /dev/shm on
// the host, as docker shares it.
func (e *Engine) joinNamespace(id, ref, what string, shm *string) (string, error) {
	target, err := e.Lookup(ref)
	if err != nil {
		return "", err
	}
	if !IsRunning(target) || target.State.Pid == 0 {
		return "", WithCode(ExitEngine, fmt.Errorf("cannot join the %s namespace of container %s: it is not running", what, target.Name))
	}
	if what == "ipc" {
		thc, err := e.Containers.LoadHostConfig(target.ID)
		if err != nil {
			return "", WithCode(ExitEngine, err)
		}
		switch thc.IpcMode {
		case ipcShareable:
			*shm = e.shmDir(target.ID) // held by fd below, once the donor is checked alive
		case specgen.ModeHost:
			*shm = "/dev/shm"
		default: // docker's words
			return "", WithCode(ExitEngine, fmt.Errorf("can't join IPC of container %s: non-shareable IPC (hint: use IpcMode:shareable for the donor container)", target.Name))
		}
	}
	f, err := os.Open(fmt.Sprintf("/proc/%d/ns/%s", target.State.Pid, what))
	if err != nil {
		return "", WithCode(ExitEngine, fmt.Errorf("cannot join the %s namespace of container %s: it is not running", what, target.Name))
	}
	if target.Alive() != state.Running {
		f.Close()
		return "", WithCode(ExitEngine, fmt.Errorf("cannot join the %s namespace of container %s: it is not running", what, target.Name))
	}
	e.heldNS = append(e.heldNS, f)
	if what == "ipc" && *shm != "/dev/shm" {
		held, err := e.holdShm(id, target.Name, *shm)
		if err != nil {
			return "", err
		}
		*shm = held
	}
	return fmt.Sprintf("/proc/%d/fd/%d", os.Getpid(), f.Fd()), nil
}

// holdShm binds a shareable donor's /dev/shm (dir, checked alive by the
// caller) at the joiner id's own shm directory and checks the bind is a
// tmpfs: a donor stopping meanwhile unmounts its own mount, but the
// joiner's bind keeps the tmpfs for runc to bind, so the joiner never
// gets the donor's bare directory (on the engine's disk, without a size)
// as its /dev/shm (review 11c). The joiner's release unmounts it
// (unmountShm), as it does a shareable container's own.
func (e *Engine) holdShm(id, donor, dir string) (string, error) {
	held := e.shmDir(id)
	if err := e.unmountShm(id); err != nil { // an earlier start's hold (a restart)
		return "", WithCode(ExitEngine, err)
	}
	if err := os.MkdirAll(held, 0o700); err != nil {
		return "", WithCode(ExitEngine, fmt.Errorf("create the /dev/shm hold %q: %w", held, err))
	}
	notMounted := fmt.Errorf("cannot join the IPC of container %s: its /dev/shm is not mounted (it is stopping?)", donor)
	if err := unix.Mount(dir, held, "", unix.MS_BIND, ""); err != nil {
		return "", WithCode(ExitEngine, fmt.Errorf("%w: %w", notMounted, err))
	}
	var fs unix.Statfs_t
	if err := unix.Statfs(held, &fs); err != nil || fs.Type != unix.TMPFS_MAGIC {
		e.unmountShm(id)
		return "", WithCode(ExitEngine, notMounted)
	}
	return held, nil
}
