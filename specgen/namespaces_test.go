package specgen

import (
	"reflect"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/ctr-lite/ctr-lite/state"
)

func nsTypes(ns []specs.LinuxNamespace) map[specs.LinuxNamespaceType]string {
	out := map[specs.LinuxNamespaceType]string{}
	for _, n := range ns {
		out[n.Type] = n.Path
	}
	return out
}

func TestNamespaceModes(t *testing.T) {
	in := Input{Host: &state.HostConfig{PidMode: "host", UTSMode: "host", CgroupnsMode: "host"}, NetNS: "host", CgroupV2: true,
		Hostname: "h", Domainname: "d"}
	if got := nsTypes(namespaces(in)); !reflect.DeepEqual(got, map[specs.LinuxNamespaceType]string{specs.IPCNamespace: "", specs.MountNamespace: ""}) {
		t.Errorf("host pid, uts, net, cgroup: %v", got)
	}
	s, err := Generate(in)
	if err != nil || s.Hostname != "" || s.Domainname != "" {
		t.Errorf("--uts host sets no hostname: %q %q %v", s.Hostname, s.Domainname, err)
	}
	in = Input{Host: &state.HostConfig{IpcMode: "host", CgroupnsMode: "private"},
		NSPaths: map[specs.LinuxNamespaceType]string{specs.PIDNamespace: "/proc/7/ns/pid"}}
	got := nsTypes(namespaces(in))
	if _, ipc := got[specs.IPCNamespace]; ipc || got[specs.PIDNamespace] != "/proc/7/ns/pid" {
		t.Errorf("joined pid, host ipc: %v", got)
	}
	if _, cg := got[specs.CgroupNamespace]; !cg {
		t.Errorf("--cgroupns private on v1: %v", got)
	}
	s, _ = Generate(in)
	for _, m := range s.Mounts {
		if m.Destination == "/dev/shm" && (m.Type != "bind" || m.Source != "/dev/shm") {
			t.Errorf("--ipc host: /dev/shm is %+v, want the host's", m)
		}
	}
}

func TestSysctlsInSpec(t *testing.T) {
	s, err := Generate(Input{Host: &state.HostConfig{Sysctls: map[string]string{"net.ipv4.ip_forward": "1"}}})
	if err != nil || s.Linux.Sysctl["net.ipv4.ip_forward"] != "1" {
		t.Errorf("sysctl %v %v", s.Linux.Sysctl, err)
	}
}

// shmMount is the /dev/shm mount of in's spec, if any.
func shmMount(in Input) (specs.Mount, bool) {
	for _, m := range mounts(in) {
		if m.Destination == "/dev/shm" {
			return m, true
		}
	}
	return specs.Mount{}, false
}

func TestShmByIpcMode(t *testing.T) {
	if m, ok := shmMount(Input{Host: &state.HostConfig{}}); !ok || m.Type != "tmpfs" {
		t.Errorf("private: own tmpfs, got %+v", m)
	}
	if m, ok := shmMount(Input{Host: &state.HostConfig{IpcMode: "shareable"}, ShmPath: "/c/mounts/shm"}); !ok || m.Type != "bind" || m.Source != "/c/mounts/shm" {
		t.Errorf("shareable: bind of its host tmpfs, got %+v", m)
	}
	if m, ok := shmMount(Input{Host: &state.HostConfig{IpcMode: "host"}}); !ok || m.Source != "/dev/shm" {
		t.Errorf("host: the host's, got %+v", m)
	}
	if m, ok := shmMount(Input{Host: &state.HostConfig{IpcMode: IpcNone}}); ok {
		t.Errorf("none: no /dev/shm, got %+v", m)
	}
}
