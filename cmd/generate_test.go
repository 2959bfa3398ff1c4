package cmd

import (
	"reflect"
	"testing"

	"github.com/ctr-lite/ctr-lite/systemd"
)

func TestSplitCreateCommand(t *testing.T) {
	argv := []string{"./ctr-lite", "--root", "/r", "run", "-dit", "-p8080:80", "--name=web", "-e", "A=1",
		"--runtime", "/opt/runc", "--rm", "-h", "host", "busybox", "sh", "-c", "echo -d"}
	cl, err := splitCreateCommand(argv)
	if err != nil {
		t.Fatal(err)
	}
	want := &systemd.CommandLine{
		Globals: []systemd.Arg{{Name: "root", Value: "/r", Words: []string{"--root", "/r"}}},
		Verb:    "run",
		Flags: []systemd.Arg{{Name: "detach", Value: "true", Words: []string{"-d"}}, {Name: "interactive", Value: "true", Words: []string{"-i"}},
			{Name: "tty", Value: "true", Words: []string{"-t"}}, {Name: "publish", Value: "8080:80", Words: []string{"-p8080:80"}},
			{Name: "name", Value: "web", Words: []string{"--name=web"}}, {Name: "env", Value: "A=1", Words: []string{"-e", "A=1"}},
			{Name: "runtime", Value: "/opt/runc", Words: []string{"--runtime", "/opt/runc"}}, // run's own (the container's)
			{Name: "rm", Value: "true", Words: []string{"--rm"}}, {Name: "hostname", Value: "host", Words: []string{"-h", "host"}}},
		Operands: []string{"busybox", "sh", "-c", "echo -d"},
	}
	if !reflect.DeepEqual(cl, want) {
		t.Errorf("got  %+v\nwant %+v", cl, want)
	}
	for _, bad := range [][]string{{"ctr-lite"}, {"ctr-lite", "ps"}, {"ctr-lite", "run", "--nonsense", "busybox"}, {"ctr-lite", "run", "--name"}} {
		if cl, err := splitCreateCommand(bad); err == nil && len(cl.Operands) > 0 {
			t.Errorf("%q accepted: %+v", bad, cl)
		}
	}
}

// create and run keep the CTR_LITE_* settings they read, but the state
// directories (a unit sets those itself) and empty values (envOr's unset).
func TestSettingsEnv(t *testing.T) {
	t.Setenv("CTR_LITE_ROOT", "/r")
	t.Setenv("CTR_LITE_RUNROOT", "/rr")
	t.Setenv("CTR_LITE_RUNTIME", "/opt/runc")
	t.Setenv("CTR_LITE_STORAGE_DRIVER", "")
	t.Setenv("CTR_LITE_DEFAULT_SUBNET", "10.7.0.0/16")
	t.Setenv("CTR_LITE_DEFAULT_BRIDGE", "")
	t.Setenv("CTR_LITE_LOG_LEVEL", "")
	t.Setenv("CTR_LITE_REGISTRIES_CONF", "/etc/r.json")
	t.Setenv("CTR_LITE_CONFIG", "/etc/d.json")
	want := []string{"CTR_LITE_RUNTIME=/opt/runc", "CTR_LITE_DEFAULT_SUBNET=10.7.0.0/16", "CTR_LITE_REGISTRIES_CONF=/etc/r.json", "CTR_LITE_CONFIG=/etc/d.json"}
	if got := settingsEnv(); !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// A container made by `container create` (docker's group spelling) has a
// create command line a unit can be generated from.
func TestSplitCreateCommandContainerGroup(t *testing.T) {
	cl, err := splitCreateCommand([]string{"ctr-lite", "container", "create", "--name", "c", "busybox", "true"})
	if err != nil {
		t.Fatal(err)
	}
	if cl.Verb != "create" || len(cl.Operands) != 2 || cl.Operands[0] != "busybox" {
		t.Fatalf("got %+v", cl)
	}
}
