package lifecycle

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/ctr-lite/ctr-lite/rootfs"
)

func TestMergeConfig(t *testing.T) {
	img := rootfs.ContainerDefaults{
		Env: []string{"PATH=/bin", "A=img"}, Cmd: []string{"serve"}, Entrypoint: []string{"/entry"},
		WorkingDir: "/app", User: "app", Labels: map[string]string{"x": "img"},
	}
	cases := []struct {
		name           string
		u              UserConfig
		wantEntry, cmd []string
		env            []string
		wd, user       string
	}{
		{"image defaults", UserConfig{}, []string{"/entry"}, []string{"serve"}, []string{"PATH=/bin", "A=img"}, "/app", "app"},
		{"user cmd keeps entrypoint", UserConfig{Cmd: []string{"x"}}, []string{"/entry"}, []string{"x"}, nil, "", ""},
		{"user entrypoint drops image cmd", UserConfig{Entrypoint: []string{"/e2"}, EntrypointSet: true}, []string{"/e2"}, nil, nil, "", ""},
		{"empty entrypoint clears it", UserConfig{EntrypointSet: true, Cmd: []string{"ls"}}, nil, []string{"ls"}, nil, "", ""},
		{"env overrides by key", UserConfig{Env: []string{"A=user", "B=2"}}, nil, nil, []string{"PATH=/bin", "A=user", "B=2"}, "", ""},
		{"workdir and user", UserConfig{WorkingDir: "/w", User: "0"}, nil, nil, nil, "/w", "0"},
	}
	for _, tc := range cases {
		c, err := MergeConfig(img, tc.u)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if tc.wantEntry != nil || tc.cmd != nil {
			if !reflect.DeepEqual(c.Entrypoint, tc.wantEntry) || !reflect.DeepEqual(c.Cmd, tc.cmd) {
				t.Errorf("%s: entrypoint %v cmd %v", tc.name, c.Entrypoint, c.Cmd)
			}
		}
		if tc.env != nil && !reflect.DeepEqual(c.Env, tc.env) {
			t.Errorf("%s: env %v", tc.name, c.Env)
		}
		if tc.wd != "" && (c.WorkingDir != tc.wd || c.User != tc.user) {
			t.Errorf("%s: workdir %q user %q", tc.name, c.WorkingDir, c.User)
		}
	}
	if _, err := MergeConfig(rootfs.ContainerDefaults{}, UserConfig{}); err == nil {
		t.Error("no command at all must fail")
	}
	c, _ := MergeConfig(img, UserConfig{Labels: map[string]string{"x": "user", "y": "1"}})
	if c.Labels["x"] != "user" || c.Labels["y"] != "1" {
		t.Errorf("labels %v", c.Labels)
	}
}

func TestCodeForRuntimeMessage(t *testing.T) {
	cases := map[string]int{
		`exec: "x": executable file not found in $PATH`: 127, "stat /x: no such file or directory": 127,
		"exec /etc: permission denied": 126, "is a directory": 126, "cgroup: bad": 125,
	}
	for msg, want := range cases {
		if got := CodeForRuntimeMessage(msg); got != want {
			t.Errorf("%q: %d, want %d", msg, got, want)
		}
	}
}

func TestVersionLess(t *testing.T) {
	if !VersionLess("1.1.5+ds1", "1.5.2") || VersionLess("1.5.2", "1.5.2") || VersionLess("1.10.0", "1.5.2") || !VersionLess("1.5.1-rc.1", "1.5.2") {
		t.Error("VersionLess")
	}
}

func TestCheckWorkdir(t *testing.T) {
	for _, bad := range []string{"/proc/self/fd", "/proc/self/fd/7", "/proc/1/fd/3", "/proc/thread-self/fd", "/proc/self/task/5/fd/1", "proc/self/fd/../fd/3"} {
		if checkWorkdir(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	for _, ok := range []string{"", "/", "/proc", "/proc/self", "/proc/self/cwd", "/srv/proc/self/fd", "/proc/sys/fd"} {
		if err := checkWorkdir(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
}

func TestCheckResolvedWorkdirFollowsImageSymlinks(t *testing.T) {
	root := t.TempDir()
	os.Symlink("/proc/self/fd/7", filepath.Join(root, "w"))
	os.MkdirAll(filepath.Join(root, "srv"), 0o755)
	os.Symlink("../srv", filepath.Join(root, "ok"))
	if err := checkResolvedWorkdir(root, "/w"); err == nil {
		t.Error("a WORKDIR symlinked into /proc/self/fd accepted")
	}
	if err := checkResolvedWorkdir(root, "/w/sub"); err == nil {
		t.Error("a path under it accepted")
	}
	for _, ok := range []string{"", "/", "/ok", "/srv/new"} {
		if err := checkResolvedWorkdir(root, ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
}

func TestMergeStopSignalAndTimeout(t *testing.T) {
	img := rootfs.ContainerDefaults{Cmd: []string{"x"}, StopSignal: "SIGQUIT"}
	if c, _ := MergeConfig(img, UserConfig{}); c.StopSignal != "SIGQUIT" || c.StopTimeout != nil {
		t.Errorf("image's stop signal: %q %v", c.StopSignal, c.StopTimeout)
	}
	five := 5
	c, _ := MergeConfig(img, UserConfig{StopSignal: "USR1", StopTimeout: &five})
	if c.StopSignal != "USR1" || c.StopTimeout == nil || *c.StopTimeout != 5 {
		t.Errorf("--stop-signal/--stop-timeout: %q %v", c.StopSignal, c.StopTimeout)
	}
}
