package images

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ctr-lite/ctr-lite/rootfs"
	"github.com/ctr-lite/ctr-lite/state"
)

func TestApplyChanges(t *testing.T) {
	var cfg rootfs.ContainerDefaults
	err := ApplyChanges(&cfg, []string{
		`CMD ["/bin/echo", "hi there"]`,
		`ENTRYPOINT /bin/run --fast`,
		`ENV A=1 B="two words" C='$x'`,
		`ENV LEGACY some value`,
		`env A=replaced`,
		`LABEL team=web "quoted key"=v`,
		`EXPOSE 80 53/udp 8000-8002`,
		`USER nobody:nogroup`,
		`VOLUME ["/data", "/logs"]`,
		`VOLUME /cache`,
		`WORKDIR /srv`,
		`WORKDIR app`,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := rootfs.ContainerDefaults{
		Cmd:          []string{"/bin/echo", "hi there"},
		Entrypoint:   []string{"/bin/sh", "-c", "/bin/run --fast"},
		Env:          []string{"A=replaced", "B=two words", "C=$x", "LEGACY=some value"},
		Labels:       map[string]string{"team": "web", "quoted key": "v"},
		ExposedPorts: map[string]struct{}{"80/tcp": {}, "53/udp": {}, "8000/tcp": {}, "8001/tcp": {}, "8002/tcp": {}},
		User:         "nobody:nogroup",
		Volumes:      map[string]struct{}{"/data": {}, "/logs": {}, "/cache": {}},
		WorkingDir:   "/srv/app",
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("got %+v\nwant %+v", cfg, want)
	}
}

func TestApplyChangesShellFormAndEntrypointDropsCmd(t *testing.T) {
	var cfg rootfs.ContainerDefaults
	cfg.Cmd = []string{"old"}
	if err := ApplyChanges(&cfg, []string{`ENTRYPOINT ["/e"]`}); err != nil {
		t.Fatal(err)
	}
	if cfg.Cmd != nil || !reflect.DeepEqual(cfg.Entrypoint, []string{"/e"}) {
		t.Errorf("got %+v", cfg)
	}
	if err := ApplyChanges(&cfg, []string{`CMD echo $HOME [x]`}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg.Cmd, []string{"/bin/sh", "-c", "echo $HOME [x]"}) {
		t.Errorf("got %q", cfg.Cmd)
	}
	// a broken JSON array is the shell form, as docker reads it
	if err := ApplyChanges(&cfg, []string{`CMD ["a"`}); err != nil || cfg.Cmd[2] != `["a"` {
		t.Errorf("got %q, %v", cfg.Cmd, err)
	}
}

func TestApplyChangesRefuses(t *testing.T) {
	for change, msg := range map[string]string{
		"FROM busybox":                      "from is not a valid change command",
		"RUN true":                          "run is not a valid change command",
		"nonsense":                          "nonsense is not a valid change command",
		"CMD":                               "CMD requires at least one argument",
		"ENV A=1 B":                         "ENV names must be followed by = and a value",
		"EXPOSE 70000":                      "invalid containerPort",
		"EXPOSE 80/bogus":                   "invalid proto",
		`ENV A="unclosed`:                   "unmatched quote",
		"HEALTHCHECK CMD":                   "HEALTHCHECK takes NONE or [OPTIONS] CMD",
		"HEALTHCHECK --bogus=1 CMD true":    "unknown HEALTHCHECK option",
		"HEALTHCHECK --interval=x CMD true": "want a duration",
		"ONBUILD FROM x":                    "isn't allowed as an ONBUILD trigger",
		`VOLUME ["", "/x"]`:                 "can not be an empty string",
	} {
		var cfg rootfs.ContainerDefaults
		err := ApplyChanges(&cfg, []string{change})
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: got %v, want %q", change, err, msg)
		}
	}
}

func TestApplyChangesHealthcheckAndOnBuild(t *testing.T) {
	var cfg rootfs.ContainerDefaults
	err := ApplyChanges(&cfg, []string{
		`HEALTHCHECK --interval=5s --retries=2 CMD wget -q localhost`,
		`ONBUILD run echo hi`,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := &state.HealthConfig{Test: []string{"CMD-SHELL", "wget -q localhost"}, Interval: 5 * time.Second, Retries: 2}
	if !reflect.DeepEqual(cfg.Healthcheck, want) {
		t.Errorf("got %+v, want %+v", cfg.Healthcheck, want)
	}
	if !reflect.DeepEqual(cfg.OnBuild, []string{"RUN echo hi"}) {
		t.Errorf("OnBuild %q", cfg.OnBuild)
	}
	if err := ApplyChanges(&cfg, []string{`HEALTHCHECK CMD ["/bin/check", "-v"]`}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg.Healthcheck.Test, []string{"CMD", "/bin/check", "-v"}) {
		t.Errorf("got %q", cfg.Healthcheck.Test)
	}
	if err := ApplyChanges(&cfg, []string{`healthcheck none`}); err != nil || cfg.Healthcheck.Test[0] != "NONE" {
		t.Errorf("got %+v, %v", cfg.Healthcheck, err)
	}
}
