package lifecycle

import (
	"strings"
	"testing"

	"github.com/ctr-lite/ctr-lite/state"
)

func TestSystemdUnit(t *testing.T) {
	c := &state.Container{Name: "web", Path: "sh", Args: []string{"-c", "echo $HOME 100%"}, ImageName: "busybox",
		Config: state.Config{Env: []string{"PATH=/bin", "A=1"}, WorkingDir: "/srv"}}
	hc := &state.HostConfig{NetworkMode: "bridge", Binds: []string{"/data:/data:ro"},
		PortBindings: map[string][]state.PortBinding{"80/tcp": {{HostPort: "8080"}}}}
	unit := SystemdUnit(c, hc, UnitOptions{Binary: "/usr/bin/ctr-lite", Root: "/var/lib/ctr-lite", RunRoot: "/run/ctr-lite", ImageEnv: []string{"PATH=/bin"}, StopTimeout: 10})
	want := `ExecStart=/usr/bin/ctr-lite run --rm --replace --init --name web --network bridge -e A=1 -v /data:/data:ro -p 8080:80/tcp -w /srv --entrypoint sh busybox -c "echo $$HOME 100%%"`
	if !strings.Contains(unit, want+"\n") {
		t.Errorf("unit lacks\n%s\ngot:\n%s", want, unit)
	}
	for _, line := range []string{"ExecStop=/usr/bin/ctr-lite stop -t 10 web", "KillMode=mixed", "Environment=CTR_LITE_ROOT=/var/lib/ctr-lite CTR_LITE_RUNROOT=/run/ctr-lite", "WantedBy=multi-user.target"} {
		if !strings.Contains(unit, line+"\n") {
			t.Errorf("unit lacks %q", line)
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
