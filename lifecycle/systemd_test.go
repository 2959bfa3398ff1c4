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
		PortBindings: state.PortMap{{Number: 80, Proto: "tcp"}: {{HostPort: "8080"}}}}
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
