package opts

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ctr-lite/ctr-lite/state"
)

func TestParseBind(t *testing.T) {
	good := map[string]state.MountPoint{
		"/a:/b":       {Type: "bind", Source: "/a", Destination: "/b"},
		"/a/:/b/c:ro": {Type: "bind", Source: "/a", Destination: "/b/c", ReadOnly: true, Mode: "ro"},
		"/a:/b:rw":    {Type: "bind", Source: "/a", Destination: "/b", Mode: "rw"},
	}
	for in, want := range good {
		got, err := ParseBind(in)
		if err != nil || !reflect.DeepEqual(got, want) {
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
	for _, s := range []string{"/a:/b", "/a:/b:ro", "x:/y", "/a:/", "::"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseBind(s)
		if err == nil && (!filepath.IsAbs(b.Source) || !filepath.IsAbs(b.Destination) || b.Destination == "/") {
			t.Fatalf("ParseBind(%q) accepted %+v", s, b)
		}
	})
}

func TestParseVolume(t *testing.T) {
	cases := map[string]state.MountPoint{
		"/host:/ctr":          {Type: "bind", Source: "/host", Destination: "/ctr"},
		"data:/srv:ro":        {Type: "volume", Source: "data", Destination: "/srv", ReadOnly: true, Mode: "ro"},
		"/anon":               {Type: "volume", Destination: "/anon"},
		"data:/srv:ro,nocopy": {Type: "volume", Source: "data", Destination: "/srv", ReadOnly: true, NoCopy: true, Mode: "ro,nocopy"},
		// docker's documented -v modes: propagation, SELinux labels (ignored), combos
		"/h:/c:rshared":      {Type: "bind", Source: "/h", Destination: "/c", Propagation: "rshared", Mode: "rshared"},
		"/h:/c:ro,slave":     {Type: "bind", Source: "/h", Destination: "/c", ReadOnly: true, Propagation: "slave", Mode: "ro,slave"},
		"/h:/c:z":            {Type: "bind", Source: "/h", Destination: "/c", Mode: "z"},
		"/h:/c:Z,rw,private": {Type: "bind", Source: "/h", Destination: "/c", Propagation: "private", Mode: "Z,rw,private"},
		"data:/srv:nocopy,z": {Type: "volume", Source: "data", Destination: "/srv", NoCopy: true, Mode: "nocopy,z"},
	}
	for in, want := range cases {
		got, err := ParseVolume(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ParseVolume(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"/", "data:rel", "./x:/y", "data:/x:zz", "/host:/ctr:nocopy", "/h:/c:ro,rw", "/h:/c:shared,slave", "/h:/c:z,Z", "/h:/c:rbind"} {
		if v, err := ParseVolume(bad); err == nil {
			t.Errorf("ParseVolume(%q) accepted: %+v", bad, v)
		}
	}
}

func TestParseTmpfs(t *testing.T) {
	m, given, err := ParseTmpfs("/scratch:size=1m,exec,ro")
	want := []string{"nosuid", "nodev", "size=1m", "ro"}
	if err != nil || given != "size=1m,exec,ro" || !reflect.DeepEqual(m.Options, want) || !m.ReadOnly || m.Type != "tmpfs" {
		t.Errorf("got %+v %q %v, want options %v", m, given, err, want)
	}
	if _, _, err := ParseTmpfs("rel"); err == nil {
		t.Error("relative tmpfs path accepted")
	}
}

func TestValuesFillTheRecord(t *testing.T) {
	var hc state.HostConfig
	set := func(v Value, s string) {
		t.Helper()
		if err := v.Set(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	set(Bytes(&hc.Memory, "--memory"), "64m")
	set(SwapBytes(&hc.MemorySwap), "-1")
	set(CPUs(&hc.NanoCpus), "1.5")
	set(Cpuset(&hc.CpusetCpus, "--cpuset-cpus"), "0-1,3")
	set(Ulimits(&hc.Ulimits), "nofile=1024:2048")
	set(Devices(&hc.Devices), "/dev/fuse:r")
	set(Volumes(&hc), "data:/data")
	set(Tmpfs(&hc), "/t:size=1m")
	set(Ports(&hc.PortBindings), "127.0.0.1:8080:80")
	set(SecurityOpts(&hc), "no-new-privileges")
	set(SecurityOpts(&hc), "seccomp=unconfined")
	set(Restart(&hc.RestartPolicy), "on-failure:3")
	set(Capabilities(&hc.CapAdd), "net_admin")
	if hc.Memory != 64<<20 || hc.MemorySwap != -1 || hc.NanoCpus != 1.5e9 || hc.CpusetCpus != "0-1,3" {
		t.Errorf("resources %+v", hc)
	}
	if hc.Ulimits[0] != (state.Ulimit{Name: "nofile", Soft: 1024, Hard: 2048}) || hc.Devices[0].CgroupPermissions != "r" {
		t.Errorf("ulimits/devices %+v %+v", hc.Ulimits, hc.Devices)
	}
	if len(hc.MountPoints) != 2 || hc.Binds[0] != "data:/data" || hc.Tmpfs["/t"] != "size=1m" {
		t.Errorf("mounts %+v binds %v tmpfs %v", hc.MountPoints, hc.Binds, hc.Tmpfs)
	}
	if b := hc.PortBindings[state.Port{Number: 80, Proto: "tcp"}]; len(b) != 1 || b[0].HostIP != "127.0.0.1" || b[0].HostPort != "8080" {
		t.Errorf("ports %+v", hc.PortBindings)
	}
	if !hc.NoNewPrivileges || !hc.SeccompUnconfined || hc.RestartPolicy.MaximumRetryCount != 3 || hc.CapAdd[0] != "CAP_NET_ADMIN" {
		t.Errorf("security %+v", hc)
	}
	for v, bad := range map[Value]string{
		Bytes(&hc.Memory, "--memory"): "lots", CPUs(&hc.NanoCpus): "NaN", Cpuset(&hc.CpusetCpus, "--cpuset-cpus"): "3-1",
		Capabilities(&hc.CapAdd): "BOGUS", Restart(&hc.RestartPolicy): "sometimes", Ports(&hc.PortBindings): "x",
		IP(&hc.IPAddress, "--ip"): "1.2.3", ExtraHosts(&hc.ExtraHosts): "nocolon",
	} {
		if err := v.Set(bad); err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: want a one-line error, got %v", bad, err)
		}
	}
}

func TestSeccompProfileReadWhenParsed(t *testing.T) {
	p := filepath.Join(t.TempDir(), "p.json")
	os.WriteFile(p, []byte(`{"defaultAction":"SCMP_ACT_ALLOW"}`), 0o600)
	var hc state.HostConfig
	if err := ParseSecurityOpt("seccomp="+p, &hc); err != nil {
		t.Fatal(err)
	}
	os.Remove(p)
	if string(hc.SeccompProfile) != `{"defaultAction":"SCMP_ACT_ALLOW"}` || hc.SeccompUnconfined {
		t.Errorf("%+v", hc)
	}
	for _, bad := range []string{"label=", "systempaths=confined", "seccomp=", "no-new-privileges=maybe", "seccomp=/nonexistent.json"} {
		if err := ParseSecurityOpt(bad, &hc); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
	for _, ok := range []string{"label=disable", "label=user:u", "label:type:t", "systempaths=unconfined"} {
		if err := ParseSecurityOpt(ok, &hc); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	if !hc.SystemPathsUnconfined {
		t.Error("systempaths=unconfined not recorded")
	}
	if err := ParseSecurityOpt("no-new-privileges:false", &hc); err != nil || hc.NoNewPrivileges {
		t.Error("no-new-privileges:false must turn it off")
	}
}

func TestValidate(t *testing.T) {
	for name, hc := range map[string]state.HostConfig{
		"swap without memory": {MemorySwap: 128 << 20},
		"swap below memory":   {Memory: 64 << 20, MemorySwap: 32 << 20},
		"below 6MB":           {Memory: 1024},
		"restart with rm":     {AutoRemove: true, RestartPolicy: state.RestartPolicy{Name: "always"}},
		"ip on host network":  {NetworkMode: "host", IPAddress: "10.0.0.2"},
		"bad network":         {NetworkMode: "container:"},
	} {
		if err := Validate(&hc); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	hc := state.HostConfig{}
	if err := Validate(&hc); err != nil || hc.NetworkMode != "bridge" || hc.RestartPolicy.Name != "no" {
		t.Errorf("defaults: %+v %v", hc, err)
	}
}

func TestParseUlimit(t *testing.T) {
	u, err := ParseUlimit("nofile=1024:2048")
	if err != nil || u.Name != "nofile" || u.Soft != 1024 || u.Hard != 2048 {
		t.Fatalf("%+v %v", u, err)
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
		u, err := ParseUlimit(s)
		if err == nil && (u.Name == "" || u.Soft < -1 || u.Hard < -1) {
			t.Fatalf("%q gave %+v", s, u)
		}
	})
}

func TestParseDevice(t *testing.T) {
	for in, want := range map[string]state.DeviceMapping{
		"/dev/fuse":               {PathOnHost: "/dev/fuse", PathInContainer: "/dev/fuse", CgroupPermissions: "rwm"},
		"/dev/fuse:r":             {PathOnHost: "/dev/fuse", PathInContainer: "/dev/fuse", CgroupPermissions: "r"},
		"/dev/sda:/dev/xvda":      {PathOnHost: "/dev/sda", PathInContainer: "/dev/xvda", CgroupPermissions: "rwm"},
		"/dev/sda:/dev/xvda:rw":   {PathOnHost: "/dev/sda", PathInContainer: "/dev/xvda", CgroupPermissions: "rw"},
		"/dev/sda:/dev/x/../xvdb": {PathOnHost: "/dev/sda", PathInContainer: "/dev/xvdb", CgroupPermissions: "rwm"},
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

func TestParseRestartPolicy(t *testing.T) {
	for in, want := range map[string]state.RestartPolicy{
		"": {Name: "no"}, "no": {Name: "no"}, "always": {Name: "always"}, "unless-stopped": {Name: "unless-stopped"},
		"on-failure": {Name: "on-failure"}, "on-failure:3": {Name: "on-failure", MaximumRetryCount: 3},
	} {
		if got, err := ParseRestartPolicy(in); err != nil || got != want {
			t.Errorf("%q: %+v %v", in, got, err)
		}
	}
	for _, bad := range []string{"sometimes", "always:3", "on-failure:x", "on-failure:-1"} {
		if _, err := ParseRestartPolicy(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestParseEnvAndEnvFile(t *testing.T) {
	lookup := func(k string) (string, bool) {
		if k == "SET" {
			return "v", true
		}
		return "", false
	}
	got, err := ParseEnv([]string{"A=1", "SET", "UNSET", "B="}, lookup)
	if err != nil || !reflect.DeepEqual(got, []string{"A=1", "SET=v", "B="}) {
		t.Fatalf("got %v %v", got, err)
	}
	if _, err := ParseEnv([]string{"=x"}, lookup); err == nil {
		t.Error("empty key must fail")
	}
	p := filepath.Join(t.TempDir(), "env")
	os.WriteFile(p, []byte("# comment\n\nA=1\n  B=two words\n"), 0o600)
	lines, err := ReadEnvFile(p)
	if err != nil || !reflect.DeepEqual(lines, []string{"A=1", "B=two words"}) {
		t.Fatalf("env file: %v %v", lines, err)
	}
	if _, err := ReadEnvFile(p + ".missing"); err == nil || err.Error() != fmt.Sprintf("read env file %q: no such file or directory", p+".missing") {
		t.Errorf("missing env file: %v, want the house form", err)
	}
}

func FuzzEnvFile(f *testing.F) {
	f.Add("A=1\n# comment\n\n  B=two words\nC\n")
	f.Add("=x\nK V=1\n")
	f.Fuzz(func(t *testing.T, body string) {
		lines, err := ParseEnvFile(strings.NewReader(body))
		if err != nil {
			return
		}
		env, err := ParseEnv(lines, func(string) (string, bool) { return "v", true })
		if err != nil {
			return
		}
		for _, kv := range env {
			k, _, ok := strings.Cut(kv, "=")
			if !ok || k == "" || strings.ContainsAny(k, " \t\n") || strings.Contains(kv, "\n") {
				t.Fatalf("%q gave the variable %q", body, kv)
			}
		}
	})
}

func TestPortJSONIsDockers(t *testing.T) {
	pm := state.PortMap{}
	if err := ParsePublish("8080:80/udp", &pm); err != nil {
		t.Fatal(err)
	}
	var p state.Port
	if err := p.UnmarshalText([]byte("80/udp")); err != nil || pm[p][0].HostPort != "8080" {
		t.Errorf("%+v %v", pm, err)
	}
}

func TestTmpfsOptionsAreChecked(t *testing.T) {
	for _, bad := range []string{"/x:size=abc", "/x:mode=999", "/x:bogus", "/x:uid=x"} {
		if _, _, err := ParseTmpfs(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	m, _, err := ParseTmpfs("/x:size=64m,mode=1777,uid=1000,noatime")
	if err != nil || !reflect.DeepEqual(m.Options, []string{"rw", "noexec", "nosuid", "nodev", "size=64m", "mode=1777", "uid=1000", "noatime"}) {
		t.Errorf("%+v %v", m, err)
	}
}

func TestRepeatedTmpfsKeepsTheLast(t *testing.T) {
	var hc state.HostConfig
	Tmpfs(&hc).Set("/x")
	Tmpfs(&hc).Set("/x:size=1m")
	if len(hc.MountPoints) != 1 || hc.Tmpfs["/x"] != "size=1m" || !slicesContain(hc.MountPoints[0].Options, "size=1m") {
		t.Errorf("mounts %+v tmpfs %v", hc.MountPoints, hc.Tmpfs)
	}
}

func slicesContain(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestValidateChecksMountsAndPorts(t *testing.T) {
	for name, hc := range map[string]state.HostConfig{
		"two on one path":   {MountPoints: []state.MountPoint{{Type: "bind", Source: "/a", Destination: "/x"}, {Type: "tmpfs", Destination: "/x"}}},
		"relative bind":     {MountPoints: []state.MountPoint{{Type: "bind", Source: "a", Destination: "/x"}}},
		"relative dest":     {MountPoints: []state.MountPoint{{Type: "bind", Source: "/a", Destination: "x"}}},
		"unclean dest":      {MountPoints: []state.MountPoint{{Type: "bind", Source: "/a", Destination: "/x/../y"}}},
		"root dest":         {MountPoints: []state.MountPoint{{Type: "volume", Source: "v", Destination: "/"}}},
		"bad volume name":   {MountPoints: []state.MountPoint{{Type: "volume", Source: "a/b", Destination: "/x"}}},
		"unknown type":      {MountPoints: []state.MountPoint{{Type: "nfs", Source: "/a", Destination: "/x"}}},
		"bad tmpfs option":  {MountPoints: []state.MountPoint{{Type: "tmpfs", Destination: "/x", Options: []string{"size=huge"}}}},
		"port 0":            {PortBindings: state.PortMap{{Number: 0, Proto: "tcp"}: nil}},
		"unknown protocol":  {PortBindings: state.PortMap{{Number: 80, Proto: "icmp"}: nil}},
		"swap below memory": {Memory: 64 << 20, MemorySwap: 32 << 20},
	} {
		if err := Validate(&hc); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	hc := state.HostConfig{CpuShares: 1}
	if err := Validate(&hc); err != nil || hc.CpuShares != 2 {
		t.Errorf("cpu-shares 1 must become the kernel's minimum 2: %d %v", hc.CpuShares, err)
	}
	hc = state.HostConfig{Memory: 1 << 20}
	if err := Validate(&hc); err == nil || !strings.Contains(err.Error(), "1MiB") {
		t.Errorf("sizes in errors read as sizes: %v", err)
	}
}

func TestVolumeNamesAndAnonymousVolumes(t *testing.T) {
	if _, err := ParseVolume("a/b:/x"); err == nil {
		t.Error("a volume name with a slash accepted")
	}
	var hc state.HostConfig
	Volumes(&hc).Set("/anon")
	Volumes(&hc).Set("data:/data")
	if !reflect.DeepEqual(hc.Binds, []string{"data:/data"}) || len(hc.MountPoints) != 2 {
		t.Errorf("docker keeps -v /path out of Binds: %v %+v", hc.Binds, hc.MountPoints)
	}
}

func TestSeccompProfileIsCheckedAndInline(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"empty": "", "text": "hostname\n", "array": "[1]"} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o600)
		var hc state.HostConfig
		if err := ParseSecurityOpt("seccomp="+p, &hc); err == nil {
			t.Errorf("%s profile accepted", name)
		}
	}
	p := filepath.Join(dir, "ok.json")
	os.WriteFile(p, []byte("{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\"\n}\n"), 0o600)
	var hc state.HostConfig
	if err := ParseSecurityOpt("seccomp="+p, &hc); err != nil {
		t.Fatal(err)
	}
	if want := `seccomp={"defaultAction":"SCMP_ACT_ALLOW"}`; hc.SecurityOpt[0] != want || string(hc.SeccompProfile) != want[len("seccomp="):] {
		t.Errorf("docker shows the profile inline and compact: %q %s", hc.SecurityOpt, hc.SeccompProfile)
	}
}

func TestWordsRefuseLineBreaks(t *testing.T) {
	var search []string
	if err := Words(&search, "--dns-search").Set("a\nnameserver 6.6.6.6"); err == nil {
		t.Error("a line break in --dns-search accepted")
	}
	if err := Words(&search, "--dns-search").Set("corp.example"); err != nil || search[0] != "corp.example" {
		t.Errorf("%v %v", search, err)
	}
}

func TestSignalAndOptionalInt(t *testing.T) {
	var sig string
	for _, good := range []string{"USR1", "SIGUSR1", "sigterm", "9"} {
		if err := Signal(&sig).Set(good); err != nil || sig != good {
			t.Errorf("Signal(%q): %q, %v", good, sig, err)
		}
	}
	for _, bad := range []string{"", "NOPE", "SIG", "999"} {
		if err := Signal(&sig).Set(bad); err == nil {
			t.Errorf("Signal(%q): want error", bad)
		}
	}
	var p *int
	v := OptionalInt(&p, "--stop-timeout")
	if v.String() != "" {
		t.Errorf("unset: %q", v.String())
	}
	if err := v.Set("-1"); err != nil || p == nil || *p != -1 || v.String() != "-1" {
		t.Errorf("Set(-1): %v %v", p, err)
	}
	if err := v.Set("1.5"); err == nil || !strings.Contains(err.Error(), "--stop-timeout") {
		t.Errorf("Set(1.5): %v", err)
	}
}

func TestValidateNamespaces(t *testing.T) {
	for _, hc := range []state.HostConfig{{}, {PidMode: "host", IpcMode: "shareable", UTSMode: "host", CgroupnsMode: "private"},
		{PidMode: "container:a", IpcMode: "container:b", CgroupnsMode: "host"}, {IpcMode: "private"}} {
		if err := validateNamespaces(&hc); err != nil {
			t.Errorf("%+v: %v", hc, err)
		}
	}
	for _, hc := range []state.HostConfig{{PidMode: "private"}, {PidMode: "container:"}, {IpcMode: "x"}, {UTSMode: "container:a"}, {CgroupnsMode: "container:a"}} {
		if err := validateNamespaces(&hc); err == nil {
			t.Errorf("%+v: want error", hc)
		}
	}
}

func TestSysctls(t *testing.T) {
	var m map[string]string
	for _, good := range []string{"net.ipv4.ip_forward=1", "kernel.shmmax=1", "kernel.sem=1 2 3 4", "fs.mqueue.msg_max=9", "kernel.msgmnb=1"} {
		if err := Sysctls(&m).Set(good); err != nil {
			t.Errorf("%q: %v", good, err)
		}
	}
	if m["kernel.sem"] != "1 2 3 4" {
		t.Errorf("sysctls %v", m)
	}
	for _, bad := range []string{"kernel.hostname=x", "vm.swappiness=1", "net.=1", "fs.mqueue.=1", "net.ipv4.ip_forward", "=1", "kernel.shm=1"} {
		if err := Sysctls(&m).Set(bad); err == nil {
			t.Errorf("%q: want error", bad)
		}
	}
	for _, hc := range []state.HostConfig{
		{NetworkMode: "host", Sysctls: map[string]string{"net.ipv4.ip_forward": "1"}},
		{NetworkMode: "container:x", Sysctls: map[string]string{"net.ipv4.ip_forward": "1"}},
		{IpcMode: "host", Sysctls: map[string]string{"kernel.shmmax": "1"}},
		{IpcMode: "container:x", Sysctls: map[string]string{"fs.mqueue.msg_max": "1"}},
	} {
		if err := validateSysctls(&hc); err == nil {
			t.Errorf("%+v: want error", hc)
		}
	}
	ok := state.HostConfig{NetworkMode: "bridge", IpcMode: "shareable", Sysctls: map[string]string{"net.ipv4.ip_forward": "1", "kernel.shmmax": "1"}}
	if err := validateSysctls(&ok); err != nil {
		t.Error(err)
	}
}

func TestReadLabelFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "labels")
	os.WriteFile(p, []byte("# c\na=1\n  b=2=3\na=4\nbare\n"), 0o644)
	got := map[string]string{}
	if err := ReadLabelFile(p, got); err != nil || !reflect.DeepEqual(got, map[string]string{"a": "4", "b": "2=3", "bare": ""}) {
		t.Errorf("ReadLabelFile = %v, %v", got, err)
	}
	if err := ReadLabelFile(p+"x", got); err == nil || !strings.Contains(err.Error(), "read label file") {
		t.Errorf("missing file: %v", err)
	}
}

func TestAnnotations(t *testing.T) {
	var m map[string]string
	if err := Annotations(&m).Set("a=b=c"); err != nil || m["a"] != "b=c" {
		t.Errorf("%v %v", m, err)
	}
	if err := Annotations(&m).Set("=x"); err == nil || !strings.Contains(err.Error(), "annotation") {
		t.Errorf("accepted =x: %v", err)
	}
}

func TestValidateLogConfig(t *testing.T) {
	var lc state.LogConfig
	if err := validateLogConfig(&lc); err != nil || lc.Type != "json-file" || lc.Config == nil {
		t.Errorf("%+v %v", lc, err)
	}
	for _, good := range []state.LogConfig{{Type: "none"}, {Type: "passthrough"}, {Type: "journald"}, {Type: "journald", Config: map[string]string{"tag": "{{.Name}}"}}} {
		if err := validateLogConfig(&good); err != nil {
			t.Errorf("refused %+v: %v", good, err)
		}
	}
	for _, bad := range []state.LogConfig{{Type: "local"}, {Type: "bogus"}, {Type: "none", Config: map[string]string{"max-size": "1m"}},
		{Type: "journald", Config: map[string]string{"tag": "{{.Nope}}"}}, {Type: "journald", Config: map[string]string{"max-size": "1m"}}, {Type: "json-file", Config: map[string]string{"nope": "1"}}} {
		if err := validateLogConfig(&bad); err == nil {
			t.Errorf("accepted %+v", bad)
		}
	}
}

// Real-time signals are named as docker and systemd name them
// (SIGRTMIN+3 is systemd's stop signal) and handed to runc as numbers.
func TestRealtimeSignals(t *testing.T) {
	for s, want := range map[string]int{"SIGRTMIN+3": 37, "rtmin": 34, "RTMAX": 64, "SIGRTMAX-2": 62, "37": 37, "64": 64, "RTMIN+0": 34} {
		if got := SignalNumber(s); int(got) != want {
			t.Errorf("SignalNumber(%q) = %d, want %d", s, got, want)
		}
	}
	for _, bad := range []string{"RTMIN+31", "RTMAX+1", "RTMIN-1", "RTMIN+x", "65", "RTMINX", "33"} {
		if got := SignalNumber(bad); got != 0 {
			t.Errorf("SignalNumber(%q) = %d, want 0", bad, got)
		}
	}
	if got, err := ParseSignal("SIGRTMIN+3"); err != nil || got != "37" {
		t.Errorf("ParseSignal(SIGRTMIN+3) = %q, %v", got, err)
	}
	if got, err := ParseSignal("sigterm"); err != nil || got != "TERM" {
		t.Errorf("ParseSignal(sigterm) = %q, %v", got, err)
	}
}
