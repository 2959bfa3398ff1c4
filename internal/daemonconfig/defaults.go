package daemonconfig

import (
	"sort"
	"strings"

	"github.com/ctr-lite/ctr-lite/state"
)

// defaultLogDriver is docker's (and ctr-lite's) driver without --log-driver.
const defaultLogDriver = "json-file"

// ContainerDefaults fills the fields of a container's host config that
// its own flags left unset, as dockerd fills them from daemon.json:
//   - log-driver when --log-driver is not given; log-opts only when the
//     container's driver is the file's, key by key under its --log-opt;
//   - default-ulimits for each name --ulimit does not set;
//   - dns, dns-search, dns-opts each when its flag gives none, for a
//     container with its own resolv.conf (not --network host or container:);
//   - default-shm-size when --shm-size is not given;
//   - init when --init is not given (initGiven);
//   - cgroup-parent when --cgroup-parent, default-ipc-mode when --ipc, is
//     not given;
//   - default-runtime when --runtime is not given; --runtime NAME, a key
//     of "runtimes", becomes that runtime's path (kept in the record, as
//     a --runtime PATH is, so the container keeps its runtime).
//
// The values land in the same fields the flags write, so they reach the
// spec by the flags' own path and the container's record keeps them.
func (c *Config) ContainerDefaults(hc *state.HostConfig, initGiven bool) {
	c.logDefaults(&hc.LogConfig)
	hc.Ulimits = c.ulimits(hc.Ulimits)
	if mode := hc.NetworkMode; mode != "host" && !strings.HasPrefix(mode, "container:") {
		orList(&hc.DNS, c.DNS)
		orList(&hc.DNSSearch, c.DNSSearch)
		orList(&hc.DNSOptions, c.DNSOpts)
	}
	if hc.ShmSize == 0 {
		hc.ShmSize = c.shmSize
	}
	if !initGiven && c.Init != nil {
		hc.Init = *c.Init
	}
	if hc.CgroupParent == "" {
		hc.CgroupParent = c.CgroupParent
	}
	if hc.IpcMode == "" {
		hc.IpcMode = c.DefaultIpcMode
	}
	if hc.Runtime == "" {
		hc.Runtime = c.DefaultRuntime
	}
	if r, ok := c.Runtimes[hc.Runtime]; ok {
		hc.Runtime = r.Path
	}
}

func (c *Config) logDefaults(lc *state.LogConfig) {
	if lc.Type == "" {
		lc.Type = c.LogDriver
	}
	if orDefault(lc.Type) != orDefault(c.LogDriver) || len(c.LogOpts) == 0 {
		return
	}
	if lc.Config == nil {
		lc.Config = map[string]string{}
	}
	for k, v := range c.LogOpts {
		if _, set := lc.Config[k]; !set {
			lc.Config[k] = v
		}
	}
}

func orDefault(driver string) string {
	if driver == "" {
		return defaultLogDriver
	}
	return driver
}

// ulimits adds the file's limits the container does not set, in name
// order so that two creates give the same record.
func (c *Config) ulimits(given []state.Ulimit) []state.Ulimit {
	set := map[string]bool{}
	for _, u := range given {
		set[u.Name] = true
	}
	names := make([]string, 0, len(c.DefaultUlimits))
	for name := range c.DefaultUlimits {
		if !set[name] {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		u := c.DefaultUlimits[name]
		given = append(given, state.Ulimit{Name: name, Soft: u.Soft, Hard: u.Hard})
	}
	return given
}

func orList(p *[]string, def []string) {
	if len(*p) == 0 && len(def) > 0 {
		*p = append([]string(nil), def...)
	}
}
