package specgen

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func baseInput() Input {
	return Input{
		ID: "c0ffee", Rootfs: "/var/lib/ctr-lite/overlay/containers/c0ffee/merged",
		Args: []string{"sh", "-c", "echo $A"}, Env: []string{"A=1"}, Cwd: "/tmp",
		User: User{UID: 1000, GID: 1000, AdditionalGids: []uint32{2000}, Home: "/home"}, Hostname: "c0ffee",
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
			in.ReadOnly, in.Terminal = true, true
			in.Binds = []Bind{{Source: "/srv/data", Destination: "/data", ReadOnly: true}, {Source: "/srv/logs", Destination: "/data/logs"}}
			in.Tmpfs = map[string]string{"/scratch": "size=1m,exec"}
		},
		"privileged-host-network": func(in *Input) { in.Privileged, in.NetNS = true, "host" },
		"capabilities": func(in *Input) {
			in.CapAdd, in.CapDrop = []string{"net_admin", "CAP_SYS_TIME"}, []string{"MKNOD", "cap_chown"}
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
	spec, _ = Generate(Input{Privileged: true})
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
	in := Input{Env: []string{"PATH=/x", "HOME=/h"}, Hostname: "h", Terminal: true}
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

func TestParseBind(t *testing.T) {
	good := map[string]Bind{
		"/a:/b":       {Source: "/a", Destination: "/b"},
		"/a/:/b/c:ro": {Source: "/a", Destination: "/b/c", ReadOnly: true},
		"/a:/b:rw":    {Source: "/a", Destination: "/b"},
	}
	for in, want := range good {
		got, err := ParseBind(in)
		if err != nil || got != want {
			t.Errorf("ParseBind(%q) = %+v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "/a", "a:/b", "/a:b", "/a:/", "/a:/b:xx", "/a:/b:ro:x", "vol:/data", "./rel:/x"} {
		if _, err := ParseBind(bad); err == nil {
			t.Errorf("ParseBind(%q): want error", bad)
		}
	}
}

func FuzzParseBind(f *testing.F) {
	for _, s := range []string{"/a:/b", "/a:/b:ro", "::", "/:/:/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseBind(s)
		if err == nil && (b.Source == "" || b.Destination == "/" || b.Destination[0] != '/') {
			t.Fatalf("ParseBind(%q) accepted %+v", s, b)
		}
	})
}

func TestTmpfsOptions(t *testing.T) {
	got := tmpfsOptions("size=1m,exec,ro")
	want := []string{"nosuid", "nodev", "size=1m", "ro"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestParseVolume(t *testing.T) {
	cases := map[string]Volume{
		"/host:/ctr":   {Bind: Bind{Source: "/host", Destination: "/ctr"}},
		"data:/srv:ro": {Bind: Bind{Source: "data", Destination: "/srv", ReadOnly: true}, Named: true},
		"/anon":        {Bind: Bind{Destination: "/anon"}, Named: true},
	}
	for in, want := range cases {
		got, err := ParseVolume(in)
		if err != nil || got != want {
			t.Errorf("ParseVolume(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"/", "data:rel", "./x:/y", "data:/x:zz"} {
		if v, err := ParseVolume(bad); err == nil {
			t.Errorf("ParseVolume(%q) accepted: %+v", bad, v)
		}
	}
}
