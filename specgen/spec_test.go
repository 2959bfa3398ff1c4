package specgen

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/ctr-lite/ctr-lite/state"
)

var update = flag.Bool("update", false, "rewrite golden files")

func baseInput() Input {
	return Input{
		ID: "c0ffee", Rootfs: "/var/lib/ctr-lite/overlay/containers/c0ffee/merged",
		Args: []string{"sh", "-c", "echo $A"}, Env: []string{"A=1"}, Cwd: "/tmp",
		User: User{UID: 1000, GID: 1000, AdditionalGids: []uint32{2000}, Home: "/home"}, Hostname: "c0ffee",
		Host:         &state.HostConfig{},
		NetworkFiles: map[string]string{"/etc/hostname": "/ctr/hostname", "/etc/hosts": "/ctr/hosts", "/etc/resolv.conf": "/ctr/resolv.conf"},
		CgroupsPath:  "/ctr-lite/c0ffee",
	}
}

// TestGolden pins the whole config.json (minus seccomp, which moby's
// package tailors to the kernel) for representative inputs.
func TestGolden(t *testing.T) {
	cases := map[string]func(*Input){
		"default": func(*Input) {},
		"readonly-binds-tmpfs-tty": func(in *Input) {
			in.Host.ReadonlyRootfs, in.Terminal = true, true
			in.Mounts = []state.MountPoint{
				{Type: state.MountBind, Source: "/srv/data", Destination: "/data", ReadOnly: true},
				{Type: state.MountVolume, Source: "/srv/logs", Destination: "/data/logs"},
				{Type: state.MountTmpfs, Source: "tmpfs", Destination: "/scratch", Options: []string{"rw", "nosuid", "nodev", "size=1m"}},
			}
		},
		"privileged-host-network": func(in *Input) { in.Host.Privileged, in.NetNS = true, "host" },
		"capabilities": func(in *Input) {
			in.Host.CapAdd, in.Host.CapDrop = []string{"net_admin", "CAP_SYS_TIME"}, []string{"MKNOD", "cap_chown"}
		},
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			in := baseInput()
			mutate(&in)
			spec, err := Generate(in)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := json.MarshalIndent(spec, "", "  ")
			path := filepath.Join("testdata", name+".json")
			if *update {
				os.WriteFile(path, append(got, '\n'), 0o644)
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./specgen -update to create it)", err)
			}
			if string(want) != string(got)+"\n" {
				t.Errorf("config.json differs from %s; if intended, run go test ./specgen -update\n%s", path, got)
			}
		})
	}
}

func TestSeccompDefaultAndPrivileged(t *testing.T) {
	spec, _ := Generate(baseInput())
	if err := ApplySeccomp(spec, false, false, nil); err != nil {
		t.Fatal(err)
	}
	if spec.Linux.Seccomp == nil || spec.Linux.Seccomp.DefaultAction != "SCMP_ACT_ERRNO" || len(spec.Linux.Seccomp.Syscalls) < 10 {
		t.Fatalf("want docker's default profile, got %+v", spec.Linux.Seccomp)
	}
	spec, _ = Generate(Input{Host: &state.HostConfig{Privileged: true}})
	ApplySeccomp(spec, true, false, nil)
	if spec.Linux.Seccomp != nil {
		t.Fatal("privileged must be unconfined")
	}
}

func TestCapabilities(t *testing.T) {
	got, _ := Capabilities(false, []string{"ALL"}, []string{"ALL"}, nil)
	if !reflect.DeepEqual(got, AllCapabilities) {
		t.Errorf("add ALL: %v", got)
	}
	// Docker: ALL plus drops is all but the drops (issue 10, item 2).
	got, _ = Capabilities(false, []string{"ALL"}, []string{"NET_ADMIN"}, nil)
	if contains(got, "CAP_NET_ADMIN") || len(got) != len(AllCapabilities)-1 {
		t.Errorf("add ALL drop NET_ADMIN: %v", got)
	}
	// Names after ALL are still checked.
	if _, err := Capabilities(false, []string{"ALL", "BOGUS"}, nil, nil); err == nil {
		t.Error("a bogus name after ALL must fail")
	}
	if _, err := Capabilities(false, nil, []string{"ALL", "BOGUS"}, nil); err == nil {
		t.Error("a bogus drop after ALL must fail")
	}
	got, _ = Capabilities(false, nil, []string{"all"}, nil)
	if len(got) != 0 {
		t.Errorf("drop ALL: %v", got)
	}
	got, _ = Capabilities(false, []string{"chown"}, []string{"ALL"}, nil)
	if !reflect.DeepEqual(got, []string{"CAP_CHOWN"}) {
		t.Errorf("drop ALL add chown: %v", got)
	}
	if _, err := Capabilities(false, []string{"CAP_BOGUS"}, nil, nil); err == nil {
		t.Error("unknown capability must fail")
	}
	host := CapsFromMask(0x1fffeffffff) // a host without CAP_SYS_RESOURCE (bit 24)
	got, _ = Capabilities(true, nil, nil, host)
	if contains(got, "CAP_SYS_RESOURCE") || len(got) != len(AllCapabilities)-1 {
		t.Errorf("privileged within host: %v", got)
	}
	if _, err := Capabilities(false, []string{"SYS_RESOURCE"}, nil, host); err == nil {
		t.Error("adding a capability the host lacks must fail")
	}
}

func TestEnvDefaults(t *testing.T) {
	in := Input{Env: []string{"PATH=/x", "HOME=/h"}, Hostname: "h", Terminal: true, Host: &state.HostConfig{}}
	env := processEnv(in)
	want := []string{"PATH=/x", "HOME=/h", "HOSTNAME=h", "TERM=xterm"}
	if !reflect.DeepEqual(env, want) {
		t.Errorf("env = %v, want %v", env, want)
	}
	env = processEnv(Input{})
	if env[0] != DefaultPath || env[len(env)-1] != "HOME=/" {
		t.Errorf("defaults: %v", env)
	}
}
