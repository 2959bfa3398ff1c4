package monitor

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctr-lite/ctr-lite/state"
)

func TestBigWaiterReason(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == bigWaiterEnv {
				return v
			}
			return ""
		}
	}
	plain, tty := &state.Container{}, &state.Container{}
	tty.Config.Tty = true
	for _, c := range []struct {
		c                 *state.Container
		driver            string
		attached, has     bool
		env, wantContains string
	}{
		{plain, "json-file", false, true, "", ""},
		{plain, "journald", false, true, "", ""},
		{plain, "none", false, true, "0", ""},
		{plain, "json-file", false, true, "1", bigWaiterEnv + "=1"},
		{plain, "json-file", false, false, "", "built without"},
		{tty, "json-file", false, true, "", "-t"},
		{plain, "json-file", true, true, "", "foreground"},
		{plain, "passthrough", false, true, "", "log driver passthrough"},
	} {
		got := bigWaiterReason(c.c, c.driver, c.attached, c.has, env(c.env))
		if (c.wantContains == "") != (got == "") || !strings.Contains(got, c.wantContains) {
			t.Errorf("%+v: reason %q, want one with %q", c, got, c.wantContains)
		}
	}
}

// The waiter is installed once, verified at each open, and a tampered
// or replaced file is installed again; what cannot be installed fails.
func TestOpenSmallWaiter(t *testing.T) {
	runroot := t.TempDir()
	bin := []byte("\x7fELF not really a waiter")
	name, _ := smallWaiterName(bin)
	path := filepath.Join(runroot, "waiter", name)
	f, err := openSmallWaiter(runroot, bin)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o755 {
		t.Fatalf("installed %v, %v", fi, err)
	}
	os.WriteFile(path, []byte("tampered"), 0o755)
	f, err = openSmallWaiter(runroot, bin)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if got, _ := os.ReadFile(path); string(got) != string(bin) {
		t.Fatalf("not installed again: %q", got)
	}
	os.Chmod(path, 0o777) // writable by others: refused, replaced
	if f, err = openSmallWaiter(runroot, bin); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o755 {
		t.Fatalf("mode %v", fi.Mode())
	}
	os.Remove(path)
	os.Mkdir(path, 0o700) // nothing can be installed there
	if _, err := openSmallWaiter(runroot, bin); err == nil {
		t.Fatal("a directory in the waiter's place was taken for it")
	}
	if left, _ := filepath.Glob(filepath.Join(runroot, "waiter", ".install-*")); len(left) > 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

// An install removes the waiters of older builds, and nothing else.
func TestInstallRemovesOtherBuildsWaiters(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "waiter")
	os.MkdirAll(filepath.Join(dir, "ctr-lite-waiter-dir"), 0o700)
	old := filepath.Join(dir, "ctr-lite-waiter-0000")
	other := filepath.Join(dir, "notes")
	recent := filepath.Join(dir, "ctr-lite-waiter-1111") // another build installing now
	for _, p := range []string{old, recent} {
		os.WriteFile(p, []byte("old"), 0o755)
	}
	hourAgo := time.Now().Add(-2 * time.Hour)
	os.Chtimes(old, hourAgo, hourAgo)
	os.WriteFile(other, []byte("x"), 0o600)
	f, err := openSmallWaiter(root, []byte("\x7fELF new"))
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := os.Stat(old); err == nil {
		t.Error("an older build's waiter was kept")
	}
	for _, p := range []string{other, recent, filepath.Join(dir, "ctr-lite-waiter-dir")} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed", p)
		}
	}
}
