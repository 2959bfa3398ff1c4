package daemonconfig

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ctr-lite/ctr-lite/state"
)

const full = `{
  "data-root": "/srv/ctr-lite", "exec-root": "/run/ctr-lite2", "storage-driver": "vfs", "log-level": "info",
  "default-runtime": "crun", "runtimes": {"crun": {"path": "/usr/bin/crun"}},
  "bip": "10.88.0.1/16", "bridge": "br-ctr",
  "log-driver": "json-file", "log-opts": {"max-size": "10m", "max-file": "3"},
  "default-ulimits": {"nofile": {"Name": "nofile", "Soft": 1024, "Hard": 2048}, "nproc": {"Soft": 50, "Hard": 60}},
  "dns": ["10.0.0.53"], "dns-search": ["example.org"], "dns-opts": ["ndots:2"],
  "default-shm-size": "128M", "init": true, "labels": ["site=a"],
  "cgroup-parent": "/ctr-lite/batch", "default-ipc-mode": "shareable"
}`

func TestParseFull(t *testing.T) {
	c, err := Parse([]byte(full))
	if err != nil {
		t.Fatal(err)
	}
	if c.DataRoot != "/srv/ctr-lite" || c.ExecRoot != "/run/ctr-lite2" || c.StorageDriver != "vfs" || c.Bridge != "br-ctr" {
		t.Errorf("globals: %+v", c)
	}
	if s, err := c.DefaultSubnet(); err != nil || s != "10.88.0.0/16" {
		t.Errorf("DefaultSubnet = %q, %v", s, err)
	}
	if c.DefaultUlimits["nproc"].Name != "nproc" {
		t.Errorf("a ulimit without Name takes its key: %+v", c.DefaultUlimits["nproc"])
	}
	if c.shmSize != 128<<20 {
		t.Errorf("shm size %d", c.shmSize)
	}
}

func TestParseRefuses(t *testing.T) {
	for in, want := range map[string]string{
		`{"foo": 1}`:                          `unknown key "foo"`,
		`{"mtu": 1400}`:                       `key "mtu" is docker's but ctr-lite does not support it`,
		`{"insecure-registries": ["a:5000"]}`: `registries.json`,
		`{"dns": "1.1.1.1"}`:                  `key "dns" is a string, want an array of strings`,
		`{"dns": ["one"]}`:                    `key "dns": "one" is not an IP address`,
		`{"init": "yes"}`:                     `key "init" is a string, want true or false`,
		`{"log-opts": {"max-size": 10}}`:      `key "log-opts" is a number, want a string`,
		`{"default-ulimits": {"nofile": {"Name": "nofile", "Soft": "1"}}}`:               `key "default-ulimits.nofile.Soft" is a string, want a number`,
		`{"default-ulimits": {"nofile": {"Soft": 1, "Hard": 2, "Max": 3}}}`:              `unknown key "Max" in "default-ulimits.nofile"`,
		`{"default-ulimits": {"nofile": {"Name": "nproc", "Soft": 1, "Hard": 2}}}`:       `has Name "nproc"`,
		`{"default-ulimits": {"nofile": {"Soft": 3, "Hard": 2}}}`:                        `Soft not above Hard`,
		`{"default-ulimits": {"bogus": {"Soft": 1, "Hard": 2}}}`:                         `"bogus"`,
		`{"default-ulimits": {"nofile": 1024}}`:                                          `key "default-ulimits.nofile" is a number, want an object`,
		`{"default-shm-size": "lots"}`:                                                   `key "default-shm-size"`,
		`{"default-runtime": "crun"}`:                                                    `neither runc nor a key`,
		`{"runtimes": {"runc": {"path": "/x"}}}`:                                         `reserved`,
		`{"runtimes": {"crun": {}}}`:                                                     `has no "path"`,
		`{"runtimes": {"crun": {"path": "/x", "runtimeArgs": ["--debug"]}}}`:             `"runtimeArgs" is not supported`,
		`{"runtimes": {"crun": {"path": "/x", "runtimeType": "io.containerd.runc.v2"}}}`: `unknown key "runtimeType" in "runtimes.crun"`,
		`{"bip": "10.1.0.5/24"}`:                                                         `use 10.1.0.1/24`,
		`{"bip": "fd00::1/64"}`:                                                          `want the bridge's IPv4 address`,
		`{"data-root": "relative"}`:                                                      `not an absolute path`,
		`{"log-level": "loud"}`:                                                          `key "log-level"`,
		`{"labels": ["novalue"]}`:                                                        `want KEY=VALUE`,
		`[]`:                                                                             `the file is an array, want an object`,
		`{`:                                                                              `not JSON`,
		`{} {}`:                                                                          `not JSON`,
	} {
		_, err := Parse([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("Parse(%s) = %v, want one line with %q", in, err, want)
		}
	}
}

func TestLoadMissing(t *testing.T) {
	dir := t.TempDir()
	c, err := Load(filepath.Join(dir, "daemon.json"), false)
	if err != nil || c.Path != "" {
		t.Errorf("a missing default file is no file: %+v, %v", c, err)
	}
	if _, err := Load(filepath.Join(dir, "daemon.json"), true); err == nil {
		t.Error("a missing named file must fail")
	}
	p := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(p, []byte(`{"nope": 1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(p, false); err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("an error names the file and the key: %v", err)
	}
}

func TestContainerDefaultsFillOnlyUnset(t *testing.T) {
	c, err := Parse([]byte(full))
	if err != nil {
		t.Fatal(err)
	}
	hc := state.HostConfig{NetworkMode: "bridge"}
	c.ContainerDefaults(&hc, false)
	want := []state.Ulimit{{Name: "nofile", Soft: 1024, Hard: 2048}, {Name: "nproc", Soft: 50, Hard: 60}}
	if !reflect.DeepEqual(hc.Ulimits, want) {
		t.Errorf("ulimits %+v", hc.Ulimits)
	}
	if hc.LogConfig.Type != "json-file" || hc.LogConfig.Config["max-size"] != "10m" || hc.LogConfig.Config["max-file"] != "3" {
		t.Errorf("log config %+v", hc.LogConfig)
	}
	if !reflect.DeepEqual(hc.DNS, []string{"10.0.0.53"}) || hc.DNSSearch[0] != "example.org" || hc.DNSOptions[0] != "ndots:2" {
		t.Errorf("dns %v %v %v", hc.DNS, hc.DNSSearch, hc.DNSOptions)
	}
	if hc.Runtime != "/usr/bin/crun" {
		t.Errorf("default-runtime: %q", hc.Runtime)
	}
	if hc.CgroupParent != "/ctr-lite/batch" || hc.IpcMode != "shareable" {
		t.Errorf("cgroup parent %q ipc %q", hc.CgroupParent, hc.IpcMode)
	}
	if hc.ShmSize != 128<<20 || !hc.Init {
		t.Errorf("shm %d init %v", hc.ShmSize, hc.Init)
	}

	// A container's own flags beat the file.
	own := state.HostConfig{
		NetworkMode: "bridge", Ulimits: []state.Ulimit{{Name: "nofile", Soft: 10, Hard: 20}},
		LogConfig: state.LogConfig{Type: "json-file", Config: map[string]string{"max-size": "1m"}},
		DNS:       []string{"9.9.9.9"}, ShmSize: 1 << 20, Runtime: "crun",
		CgroupParent: "/mine", IpcMode: "host",
	}
	runc := state.HostConfig{Runtime: "runc"}
	c.ContainerDefaults(&runc, false)
	if runc.Runtime != "runc" {
		t.Errorf("--runtime runc is the engine's, not default-runtime: %q", runc.Runtime)
	}
	c.ContainerDefaults(&own, true)
	if len(own.Ulimits) != 2 || own.Ulimits[0].Soft != 10 {
		t.Errorf("--ulimit nofile must win, nproc still added: %+v", own.Ulimits)
	}
	if own.LogConfig.Config["max-size"] != "1m" || own.LogConfig.Config["max-file"] != "3" {
		t.Errorf("--log-opt must win key by key: %+v", own.LogConfig)
	}
	if own.DNS[0] != "9.9.9.9" || own.DNSSearch[0] != "example.org" || own.ShmSize != 1<<20 || own.Init ||
		own.CgroupParent != "/mine" || own.IpcMode != "host" {
		t.Errorf("own flags: %+v", own)
	}
	if own.Runtime != "/usr/bin/crun" {
		t.Errorf("--runtime NAME of runtimes: %q", own.Runtime)
	}

	// Another driver takes none of the file's options; host networking
	// keeps the host's resolv.conf.
	other := state.HostConfig{NetworkMode: "host", LogConfig: state.LogConfig{Type: "journald"}}
	c.ContainerDefaults(&other, false)
	if len(other.LogConfig.Config) != 0 || other.DNS != nil {
		t.Errorf("journald with the file's json-file options, or dns on host: %+v", other)
	}
}

func TestContainerDefaultsEmptyFile(t *testing.T) {
	var c Config
	hc := state.HostConfig{}
	c.ContainerDefaults(&hc, false)
	if !reflect.DeepEqual(hc, state.HostConfig{}) {
		t.Errorf("no file changes nothing: %+v", hc)
	}
}

func TestLogOptsWithoutDriverApplyToJSONFile(t *testing.T) {
	c, err := Parse([]byte(`{"log-opts": {"max-size": "5m"}}`))
	if err != nil {
		t.Fatal(err)
	}
	a := state.HostConfig{}
	c.ContainerDefaults(&a, false)
	b := state.HostConfig{LogConfig: state.LogConfig{Type: "json-file"}}
	c.ContainerDefaults(&b, false)
	if a.LogConfig.Config["max-size"] != "5m" || b.LogConfig.Config["max-size"] != "5m" {
		t.Errorf("%+v %+v", a.LogConfig, b.LogConfig)
	}
}

// A key is either taken or refused, never both.
func TestUnsupportedAreNotKeys(t *testing.T) {
	for k := range unsupported {
		if _, err := Parse([]byte(`{"` + k + `": null}`)); err == nil || !strings.Contains(err.Error(), "does not support") {
			t.Errorf("%s: %v", k, err)
		}
	}
}
