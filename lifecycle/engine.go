package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/ctr-lite/ctr-lite/events"
	"github.com/ctr-lite/ctr-lite/netsetup"
	"github.com/ctr-lite/ctr-lite/rootfs"
	"github.com/ctr-lite/ctr-lite/state"
)

// Options are the engine-wide settings (the CLI's global flags).
type Options struct {
	Root, RunRoot string
	Runtime       string // runc path; "" finds one
	StorageDriver string // "" picks the default
	// DefaultSubnet and DefaultBridge shape the default network when it is
	// first created; "" takes netsetup's defaults.
	DefaultSubnet, DefaultBridge string
	Log                          *slog.Logger
}

// Engine drives containers and images under one root.
type Engine struct {
	Root, RunRoot string
	runtime       string // --runtime as given
	runtimePath   string // resolved by Runtime()
	Containers    *state.Store
	Images        *rootfs.Store
	Networks      *netsetup.Store
	Volumes       *rootfs.Volumes
	Log           *slog.Logger

	defaultSubnet, defaultBridge string

	// heldNS are the namespace files of --pid/--ipc container:NAME
	// targets, open until the next spec replaces them (see joinNamespace).
	heldNS []*os.File
}

// New opens (and on first use creates) the state under opts.Root/RunRoot.
func New(opts Options) (*Engine, error) {
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	images, err := rootfs.NewStore(opts.Root, opts.StorageDriver)
	if err != nil {
		return nil, WithCode(ExitEngine, err)
	}
	images.Warn = warn
	e := &Engine{
		Root: opts.Root, RunRoot: opts.RunRoot, runtime: opts.Runtime,
		Containers: &state.Store{Root: opts.Root, Warn: warn}, Images: images, Log: log,
		Networks:      &netsetup.Store{Root: opts.Root},
		Volumes:       &rootfs.Volumes{Root: opts.Root, Warn: warn},
		defaultSubnet: orDefault(opts.DefaultSubnet, netsetup.DefaultSubnet),
		defaultBridge: orDefault(opts.DefaultBridge, netsetup.DefaultBridge),
	}
	if err := e.init(); err != nil {
		return nil, WithCode(ExitEngine, err)
	}
	return e, nil
}

// warn prints a one-line warning on stderr whatever the log level: what
// a command found damaged and repaired is the user's to know.
func warn(msg string) { fmt.Fprintln(os.Stderr, "WARNING: "+msg) }

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func (e *Engine) init() error {
	if err := os.MkdirAll(e.Root, 0o700); err != nil {
		return fmt.Errorf("create root %q: %w", e.Root, err)
	}
	if err := os.MkdirAll(filepath.Join(e.RunRoot, "containers"), 0o700); err != nil {
		return fmt.Errorf("create runroot %q: %w", e.RunRoot, err)
	}
	if err := e.Containers.Init(); err != nil {
		return err
	}
	if err := e.Images.Init(); err != nil {
		return err
	}
	return e.checkBoot(context.Background())
}

// bundleDir is where a running container's config.json and runtime files
// live: under the runroot, so a reboot clears them.
func (e *Engine) BundleDir(id string) string { return filepath.Join(e.RunRoot, "containers", id) }

func (e *Engine) runcRoot() string { return filepath.Join(e.RunRoot, "runc") }

// step logs how long a named step took, at debug level:
//
//	defer e.step("mount rootfs")()
func (e *Engine) Step(name string) func() {
	if !e.Log.Enabled(context.Background(), slog.LevelDebug) {
		return func() {}
	}
	start := time.Now()
	return func() { e.Log.Debug("step", "name", name, "took", time.Since(start).Round(time.Microsecond)) }
}

// lockAndLoad takes container id's lock and reads its records. On error
// no lock is held.
func (e *Engine) LockAndLoad(ctx context.Context, id string) (*state.Container, *state.HostConfig, *state.ContainerLock, error) {
	l, err := e.Containers.LockContainer(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	c, err := e.Containers.Load(id)
	if err != nil {
		l.Unlock()
		return nil, nil, nil, err
	}
	hc, err := e.Containers.LoadHostConfig(id)
	if err != nil {
		l.Unlock()
		return nil, nil, nil, err
	}
	return c, hc, l, nil
}

// Lookup resolves a container reference or fails with exit code 125.
func (e *Engine) Lookup(ref string) (*state.Container, error) {
	id, err := e.Containers.Resolve(ref)
	if err != nil {
		return nil, WithCode(ExitEngine, err)
	}
	c, err := e.Containers.Load(id)
	if errors.Is(err, state.ErrDamaged) {
		return nil, WithCode(ExitEngine, fmt.Errorf("container %s is damaged (%w): remove it with rm -f %s", ref, err, ref))
	}
	return c, WithCode(ExitEngine, err)
}

// Options returns the settings e was opened with, resolved (the storage
// driver by name): New(e.Options()) opens the same engine, as a monitor
// does.
func (e *Engine) Options() Options {
	return Options{Root: e.Root, RunRoot: e.RunRoot, Runtime: e.runtime, StorageDriver: e.Images.Driver.Name(),
		DefaultSubnet: e.defaultSubnet, DefaultBridge: e.defaultBridge, Log: e.Log}
}

// Event appends a container event to the events log; a failure is logged
// at debug and never fails the command. extra are attribute name/value
// pairs (exitCode, signal).
func (e *Engine) Event(c *state.Container, action string, extra ...string) {
	e.Emit(events.Container(c.ID, c.Name, c.ImageName, c.Config.Labels, action, extra...))
}

// Emit appends m to the events log (see Event).
func (e *Engine) Emit(m events.Message) {
	if e.Root == "" { // an engine made by hand in a unit test
		return
	}
	if err := events.Append(e.Root, m); err != nil {
		e.Log.Debug("append event", "action", m.Action, "err", err)
	}
}
