package specgen

import (
	"strings"
	"testing"
)

func TestParseResources(t *testing.T) {
	r, err := ParseResources("64m", "128m", "1.5", 512, "0-1,3", 50, "16m")
	if err != nil {
		t.Fatal(err)
	}
	lr := linuxResources(r)
	if *lr.Memory.Limit != 64<<20 || *lr.Memory.Swap != 128<<20 {
		t.Errorf("memory %+v", lr.Memory)
	}
	if *lr.CPU.Quota != 150000 || *lr.CPU.Period != 100000 || *lr.CPU.Shares != 512 || lr.CPU.Cpus != "0-1,3" {
		t.Errorf("cpu %+v", lr.CPU)
	}
	if *lr.Pids.Limit != 50 || r.ShmSize != 16<<20 {
		t.Errorf("pids %+v shm %d", lr.Pids, r.ShmSize)
	}
	for _, bad := range [][7]string{
		{"1k", "", "", "", "", "", ""},     // below 6 MB
		{"", "128m", "", "", "", "", ""},   // swap without memory
		{"64m", "32m", "", "", "", "", ""}, // swap below memory
		{"", "", "0", "", "", "", ""},
		{"", "", "-1", "", "", "", ""},
		{"", "", "NaN", "", "", "", ""},
		{"", "", "", "", "3-1", "", ""},
		{"", "", "", "", "a", "", ""},
		{"", "", "", "", "", "", "lots"},
	} {
		if _, err := ParseResources(bad[0], bad[1], bad[2], 0, bad[4], 0, bad[6]); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

// On cgroup v2 runc maps the same OCI values to cpu.max, cpu.weight,
// memory.max and memory.swap.max: the spec is the same, so is this test.
func TestResourcesSameSpecOnCgroupV2(t *testing.T) {
	r, _ := ParseResources("64m", "-1", "0.5", 0, "", -1, "")
	in := baseInput()
	in.Resources, in.CgroupV2 = r, true
	s, err := Generate(in)
	if err != nil {
		t.Fatal(err)
	}
	res := s.Linux.Resources
	if *res.Memory.Limit != 64<<20 || *res.Memory.Swap != -1 || *res.CPU.Quota != 50000 || *res.Pids.Limit != -1 {
		t.Errorf("resources %+v %+v %+v", res.Memory, res.CPU, res.Pids)
	}
}

func TestParseUlimit(t *testing.T) {
	rl, err := ParseUlimit("nofile=1024:2048")
	if err != nil || rl.Type != "RLIMIT_NOFILE" || rl.Soft != 1024 || rl.Hard != 2048 {
		t.Fatalf("%+v %v", rl, err)
	}
	for _, bad := range []string{"nofile", "nofile=2:1", "bogus=1", "nofile=-2", "nofile=x:1", "=1"} {
		if _, err := ParseUlimit(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func FuzzParseUlimit(f *testing.F) {
	for _, s := range []string{"nofile=1024:2048", "nproc=10", "core=-1", "x=1:2:3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rl, err := ParseUlimit(s)
		if err == nil && !strings.HasPrefix(rl.Type, "RLIMIT_") {
			t.Fatalf("%q gave %+v", s, rl)
		}
	})
}

func TestParseDevice(t *testing.T) {
	for in, want := range map[string]DeviceMapping{
		"/dev/fuse":               {"/dev/fuse", "/dev/fuse", "rwm"},
		"/dev/fuse:r":             {"/dev/fuse", "/dev/fuse", "r"},
		"/dev/sda:/dev/xvda":      {"/dev/sda", "/dev/xvda", "rwm"},
		"/dev/sda:/dev/xvda:rw":   {"/dev/sda", "/dev/xvda", "rw"},
		"/dev/sda:/dev/x/../xvdb": {"/dev/sda", "/dev/xvdb", "rwm"},
	} {
		got, err := ParseDevice(in)
		if err != nil || got != want {
			t.Errorf("%q: %+v %v", in, got, err)
		}
	}
	for _, bad := range []string{"dev/sda", "/dev/sda:rel", "/dev/sda:/x:rwx", "/a:/b:r:w"} {
		if _, err := ParseDevice(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestParseSecurityOpts(t *testing.T) {
	o, err := ParseSecurityOpts([]string{"no-new-privileges", "seccomp=unconfined", "apparmor=unconfined"})
	if err != nil || !o.NoNewPrivileges || o.Seccomp != "unconfined" || o.AppArmor != "unconfined" {
		t.Fatalf("%+v %v", o, err)
	}
	if o, _ := ParseSecurityOpts([]string{"no-new-privileges:false"}); o.NoNewPrivileges {
		t.Error("no-new-privileges:false must turn it off")
	}
	for _, bad := range []string{"label=disable", "seccomp=", "no-new-privileges=maybe"} {
		if _, err := ParseSecurityOpts([]string{bad}); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestDevicesAndRlimitsInSpec(t *testing.T) {
	in := baseInput()
	rl, _ := ParseUlimit("nofile=10:20")
	in.Rlimits, in.NoNewPrivileges = append(in.Rlimits, rl), true
	dev := Device{Perms: "r"}
	dev.Path, dev.Type, dev.Major, dev.Minor = "/dev/kmsg", "c", 1, 11
	in.Devices = []Device{dev}
	s, _ := Generate(in)
	if !s.Process.NoNewPrivileges || len(s.Process.Rlimits) != 1 {
		t.Errorf("process %+v", s.Process)
	}
	last := s.Linux.Resources.Devices[len(s.Linux.Resources.Devices)-1]
	if len(s.Linux.Devices) != 1 || last.Access != "r" || *last.Major != 1 || *last.Minor != 11 {
		t.Errorf("devices %+v %+v", s.Linux.Devices, last)
	}
}
