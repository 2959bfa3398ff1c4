package registry

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readConfig(t *testing.T, path string) map[string]json.RawMessage {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg := map[string]json.RawMessage{}
	if err := json.Unmarshal(raw, &cfg); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	return cfg
}

// A config.json that is a symlink (dotfiles kept in a repository) stays
// one: the link's target gets the credentials; other settings are kept.
func TestLoginWritesThroughASymlinkedConfig(t *testing.T) {
	dir, real := t.TempDir(), filepath.Join(t.TempDir(), "config.json")
	t.Setenv("DOCKER_CONFIG", dir)
	if err := os.WriteFile(real, []byte(`{"detachKeys": "ctrl-x,x"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "config.json")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	if err := storeCredentials("localhost:5000", "ci", "s3cret"); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("config.json is no longer a symlink: %v %v", fi, err)
	}
	cfg := readConfig(t, real)
	if string(cfg["detachKeys"]) != `"ctrl-x,x"` {
		t.Errorf("detachKeys lost: %s", cfg["detachKeys"])
	}
	var auths map[string]struct{ Auth string }
	json.Unmarshal(cfg["auths"], &auths)
	if got, want := auths["localhost:5000"].Auth, base64.StdEncoding.EncodeToString([]byte("ci:s3cret")); got != want {
		t.Errorf("auth %q, want %q", got, want)
	}
	if had, err := eraseCredentials("localhost:5000"); err != nil || !had {
		t.Fatalf("logout: %v %v", had, err)
	}
	if had, err := eraseCredentials("localhost:5000"); err != nil || had {
		t.Fatalf("second logout: want not logged in, got %v %v", had, err)
	}
	if strings.Contains(string(readConfig(t, real)["auths"]), "localhost:5000") {
		t.Error("credentials left after logout")
	}
}

// fakeHelper puts a docker-credential-test on PATH that logs each call
// (action and stdin) to the returned file.
func fakeHelper(t *testing.T) string {
	t.Helper()
	bin, calls := t.TempDir(), filepath.Join(t.TempDir(), "calls")
	script := `#!/bin/sh
input=$(cat)
printf '%s %s\n' "$1" "$input" >>` + calls + `
case $1 in
get) echo 'credentials not found in native keychain'; exit 1 ;;
esac
`
	if err := os.WriteFile(filepath.Join(bin, "docker-credential-test"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	return calls
}

// With credsStore (or credHelpers for the registry) the secret goes to
// the helper, never into config.json, as with docker login.
func TestLoginStoresThroughACredentialHelper(t *testing.T) {
	for _, cfg := range []string{`{"credsStore": "test"}`, `{"credHelpers": {"localhost:5000": "test"}}`} {
		dir := t.TempDir()
		t.Setenv("DOCKER_CONFIG", dir)
		calls := fakeHelper(t)
		path := filepath.Join(dir, "config.json")
		if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := storeCredentials("localhost:5000", "ci", "s3cret"); err != nil {
			t.Fatalf("%s: %v", cfg, err)
		}
		if raw, _ := os.ReadFile(path); strings.Contains(string(raw), base64.StdEncoding.EncodeToString([]byte("ci:s3cret"))) || strings.Contains(string(raw), "s3cret") {
			t.Errorf("%s: the secret was written to config.json: %s", cfg, raw)
		}
		if had, err := eraseCredentials("localhost:5000"); err != nil || !had {
			t.Fatalf("%s: logout: %v %v", cfg, had, err)
		}
		log, _ := os.ReadFile(calls)
		want := `store {"ServerURL":"localhost:5000","Username":"ci","Secret":"s3cret"}` + "\nerase localhost:5000\n"
		if string(log) != want {
			t.Errorf("%s: helper calls\n%s\nwant\n%s", cfg, log, want)
		}
	}
}

// A config.json that does not parse is reported, not replaced.
func TestLoginRefusesAConfigThatDoesNotParse(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("DOCKER_CONFIG", dir)
	path := filepath.Join(dir, "config.json")
	os.WriteFile(path, []byte(`{"auths": `), 0o600)
	if err := storeCredentials("localhost:5000", "ci", "s3cret"); err == nil {
		t.Fatal("want an error for a torn config.json")
	}
	if raw, _ := os.ReadFile(path); string(raw) != `{"auths": ` {
		t.Errorf("config.json was rewritten: %s", raw)
	}
}
