package cmd

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctr-lite/ctr-lite/internal/daemonconfig"
)

// infoWith runs info --format under a config file and the given
// environment, with every other CTR_LITE_* setting cleared.
func infoWith(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	for _, k := range []string{"CTR_LITE_ROOT", "CTR_LITE_RUNROOT", "CTR_LITE_STORAGE_DRIVER", configEnv} {
		t.Setenv(k, env[k])
	}
	root := NewRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetArgs(append(args, "info", "--format", "{{.DockerRootDir}} {{.RunRoot}} {{.Driver}} {{.ConfigFile}}"))
	err := root.Execute()
	return strings.TrimSpace(out.String()), err
}

func TestDaemonConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "daemon.json")
	data := `{"data-root": "` + dir + `/file-root", "exec-root": "` + dir + `/file-run", "storage-driver": "vfs"}`
	if err := os.WriteFile(file, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := infoWith(t, map[string]string{configEnv: file})
	if want := dir + "/file-root " + dir + "/file-run vfs " + file; err != nil || got != want {
		t.Errorf("the file: %q, %v; want %q", got, err, want)
	}
	// CTR_LITE_* beats the file; a flag beats both.
	got, err = infoWith(t, map[string]string{configEnv: file, "CTR_LITE_ROOT": dir + "/env-root"}, "--runroot", dir+"/flag-run")
	if want := dir + "/env-root " + dir + "/flag-run vfs " + file; err != nil || got != want {
		t.Errorf("env and flag: %q, %v; want %q", got, err, want)
	}
	// --config-file beats CTR_LITE_CONFIG.
	other := filepath.Join(dir, "other.json")
	if err := os.WriteFile(other, []byte(`{"data-root": "`+dir+`/other-root", "exec-root": "`+dir+`/other-run"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err = infoWith(t, map[string]string{configEnv: file}, "--config-file", other)
	if !strings.HasPrefix(got, dir+"/other-root "+dir+"/other-run ") || !strings.HasSuffix(got, other) || err != nil {
		t.Errorf("--config-file: %q, %v", got, err)
	}
	// A named file that is missing is an error; so is a bad one.
	if _, err := infoWith(t, map[string]string{configEnv: filepath.Join(dir, "missing.json")}); err == nil {
		t.Error("a missing named file must fail")
	}
	if err := os.WriteFile(other, []byte(`{"log-driver": "gelf"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := infoWith(t, nil, "--config-file", other); err == nil || !strings.Contains(err.Error(), other) {
		t.Errorf("a bad log-driver: %v", err)
	}
}

// The file's log driver and options are checked as the flags are, when
// the file is read: journald takes tag, json-file does not.
func TestCheckContainerDefaultsLogOpts(t *testing.T) {
	for in, ok := range map[string]bool{
		`{"log-driver": "journald", "log-opts": {"tag": "{{.Name}}"}}`:           true,
		`{"log-opts": {"max-size": "10m", "max-file": "3", "compress": "true"}}`: true,
		`{"log-driver": "none"}`:                                       true,
		`{"log-opts": {"tag": "x"}}`:                                   false,
		`{"log-driver": "journald", "log-opts": {"tag": "{{.Nope}}"}}`: false,
		`{"log-driver": "none", "log-opts": {"max-size": "1m"}}`:       false,
		`{"log-opts": {"max-file": "3"}}`:                              false,
		`{"log-driver": "local"}`:                                      false,
	} {
		d, err := daemonconfig.Parse([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		if err := checkValues(d); (err == nil) != ok {
			t.Errorf("%s: %v", in, err)
		}
	}
}
