package lifecycle

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ctr-lite/ctr-lite/rootfs"
	"github.com/ctr-lite/ctr-lite/state"
)

// ContainerView is `inspect` output for a container, with docker's names.
type ContainerView struct {
	ID              string `json:"Id"`
	Created         time.Time
	Path            string
	Args            []string
	State           state.State
	Image           string
	ResolvConfPath  string
	HostnamePath    string
	HostsPath       string
	LogPath         string // the json-file log, as docker's
	Name            string
	RestartCount    int
	Driver          string
	Mounts          []MountView
	Config          state.Config
	HostConfig      *state.HostConfig
	GraphDriver     GraphDriverView
	NetworkSettings state.NetworkSettings
	// MonitorLogPath is the log of a detached container's monitor
	// (ctr-lite's own, as podman's ConmonPidFile names conmon's pid file):
	// its starts, exits, restarts and failed teardowns.
	MonitorLogPath string
}

// MountView is one entry of inspect's Mounts.
type MountView struct {
	Type                string
	Name                string `json:",omitempty"`
	Source, Destination string
	Driver              string `json:",omitempty"`
	Mode                string
	RW                  bool
	Propagation         string
}

// GraphDriverView is inspect's GraphDriver.
type GraphDriverView struct {
	Name string
	Data map[string]string
}

// ImageView is `inspect` output for an image.
type ImageView struct {
	ID           string `json:"Id"`
	RepoTags     []string
	RepoDigests  []string
	Comment      string
	Created      time.Time
	Author       string
	Config       rootfs.ContainerDefaults
	Architecture string
	Os           string
	Size         int64
	GraphDriver  GraphDriverView
	RootFS       struct {
		Type   string
		Layers []string
	}
	// History is the config's "history" (podman's inspect shows it too):
	// how each layer was made, oldest first.
	History []rootfs.History
}

// InspectContainer describes container ref as docker inspect does.
func (e *Engine) InspectContainer(ref string) (*ContainerView, error) {
	c, err := e.Lookup(ref)
	if err != nil {
		return nil, err
	}
	hc, err := e.Containers.LoadHostConfig(c.ID)
	if err != nil {
		return nil, WithCode(ExitEngine, err)
	}
	v := &ContainerView{
		ID: c.ID, Created: c.Created, Path: c.Path, Args: c.Args, State: e.liveState(c), Image: c.Image,
		ResolvConfPath: c.ResolvConfPath, HostnamePath: c.HostnamePath, HostsPath: c.HostsPath, LogPath: e.LogPath(c.ID),
		Name: "/" + c.Name, RestartCount: c.RestartCount, Driver: c.Driver, Config: c.Config,
		HostConfig: hc, Mounts: e.mountViews(hc), GraphDriver: GraphDriverView{Name: c.Driver},
		NetworkSettings: c.NetworkSettings, MonitorLogPath: e.MonitorLogPath(c.ID),
	}
	if img, err := e.Images.ImageByID(c.Image); err == nil {
		v.GraphDriver.Data = e.Images.Driver.Data(c.ID, img.ChainIDs(), img.TopChainID())
	}
	return v, nil
}

// LiveRestarting is c's state, no longer Restarting if it is gone by
// state.Container.Alive (its monitor killed during the backoff): nothing
// will restart it.
func LiveRestarting(c *state.Container) state.State {
	st := c.State
	if st.Restarting && !c.Alive().Holds() {
		st.Restarting, st.Status = false, state.StatusExited
	}
	return st
}

// liveState is the record's state, corrected by what the system says:
// the container's PID from the runtime, or "exited" if its waiter is gone.
func (e *Engine) liveState(c *state.Container) state.State {
	st := LiveRestarting(c)
	if st.Restarting { // docker: Running and Restarting, Pid 0 (the record keeps Running false for Alive)
		st.Running = true
		return st
	}
	if !st.Running {
		return st
	}
	if !IsRunning(c) {
		st.Status, st.Running, st.ExitCode = state.StatusExited, false, ExitUnknownCode
		return st
	}
	if data, err := os.ReadFile(filepath.Join(e.BundleDir(c.ID), "pid")); err == nil {
		st.Pid, _ = strconv.Atoi(strings.TrimSpace(string(data)))
	}
	return st
}

// mountViews are docker's inspect Mounts: binds, volumes and --mount's
// tmpfs (--tmpfs ones docker shows only in HostConfig.Tmpfs). Mode is
// -v's as given ("z" for a volume without one, as docker on Linux);
// Propagation is a bind's, rprivate unless set.
func (e *Engine) mountViews(hc *state.HostConfig) []MountView {
	out := []MountView{}
	for _, mp := range hc.MountPoints {
		m := MountView{Type: mp.Type, Source: mp.Source, Destination: mp.Destination, Mode: mp.Mode, RW: !mp.ReadOnly, Propagation: mp.Propagation}
		switch mp.Type {
		case state.MountBind:
			if m.Propagation == "" {
				m.Propagation = "rprivate"
			}
		case state.MountVolume:
			m.Name, m.Driver = mp.Source, "local"
			if m.Mode == "" {
				m.Mode = "z"
			}
			m.Source = e.Volumes.DataPath(mp.Source) // docker makes it at create; ctr-lite at first start
		case state.MountTmpfs:
			if _, flag := hc.Tmpfs[mp.Destination]; flag {
				continue
			}
			m.Source = ""
		default:
			continue
		}
		out = append(out, m)
	}
	return out
}

// InspectImage describes image ref as docker image inspect does.
func (e *Engine) InspectImage(ref string) (*ImageView, error) {
	img, err := e.Images.Lookup(ref)
	if err != nil {
		return nil, WithCode(ExitEngine, err)
	}
	v := &ImageView{
		ID: img.ID, RepoTags: img.RepoTags, RepoDigests: img.RepoDigests, Created: img.Config.Created,
		Comment: img.Config.Comment, Author: img.Config.Author, History: img.Config.History,
		Config: img.Config.Config, Architecture: img.Config.Architecture, Os: img.Config.OS, Size: img.Size,
		GraphDriver: GraphDriverView{Name: e.Images.Driver.Name(), Data: map[string]string{}},
	}
	if v.RepoTags == nil {
		v.RepoTags = []string{}
	}
	if v.RepoDigests == nil {
		v.RepoDigests = []string{}
	}
	if v.History == nil {
		v.History = []rootfs.History{}
	}
	v.RootFS.Type, v.RootFS.Layers = "layers", img.Config.RootFS.DiffIDs
	return v, nil
}
