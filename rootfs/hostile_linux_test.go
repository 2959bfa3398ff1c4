package rootfs

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/ctr-lite/ctr-lite/state"
)

// The hostile corpus is written by `go run ./testdata/mkimage -hostile
// testdata` (make testimage); see testdata/README.md. Every case is loaded
// with both drivers, then the victim directory the cases aim at and a
// sibling of the store must be as they were.

const victim = "/tmp/ctr-lite-victim" // testdata/mkimage's Victim

// hostileWant says how each case must end: "fail" (a clear error), "ok"
// (loaded, everything inside the rootfs), or "either".
var hostileWant = map[string]string{
	"dotdot": "fail", "abs-dotdot": "fail", "absolute": "ok",
	"symlink-abs-file": "ok", "symlink-rel-file": "ok",
	"symlink-named-dotdot": "fail", "symlink-dir-dotdot": "fail",
	"root-symlink": "ok", "dot-symlink": "ok",
	"hardlink-out": "fail", "hardlink-abs": "fail", "hardlink-through-symlink": "fail",
	"cve-2021-32760": "ok", "symlink-then-chmod": "ok",
	"whiteout-dotdot": "fail", "whiteout-dotdotdot": "fail", "whiteout-dne-dotdot": "fail",
	"whiteout-through-symlink": "ok", "opaque-through-symlink": "ok",
	"devices": "ok", "setuid": "ok", "overlay-xattr": "ok", "symlink-loop": "fail",
	"negative-size": "fail", "huge-size": "fail", "truncated": "fail",
	"gzip-bomb":  "fail", // with the test's low bomb floor
	"bad-digest": "fail", "digest-dotdot": "fail", "manifest-outside": "fail",
}

func hostileCorpus(t *testing.T) map[string]string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("the hostile corpus makes devices and sets owners: run as root")
	}
	raw, err := os.ReadFile("../testdata/hostile/cases.json")
	if err != nil {
		t.Skip("no hostile corpus: run make testimage")
	}
	cases := map[string]string{}
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	for name := range cases {
		if hostileWant[name] == "" {
			t.Errorf("case %q has no expected outcome here", name)
		}
	}
	return cases
}

func TestHostileCorpus(t *testing.T) {
	for name, why := range hostileCorpus(t) {
		for _, driver := range []string{"vfs", "overlay"} {
			t.Run(name+"/"+driver, func(t *testing.T) {
				before := plantVictim(t)
				top := t.TempDir()
				os.WriteFile(filepath.Join(top, "sibling"), []byte("keep"), 0o600)
				s, err := NewStore(filepath.Join(top, "root"), driver)
				if err != nil {
					t.Fatal(err)
				}
				s.BombFloor = 16 << 20
				if err := s.Init(); err != nil {
					t.Fatal(err)
				}
				_, err = s.Load(context.Background(), "../testdata/hostile/"+name+".tar")
				checkOutcome(t, name, why, err)
				if got := snapshot(t, victim); got != before {
					t.Errorf("%s: the victim directory changed:\n%s\nwant\n%s", why, got, before)
				}
				if got, _ := os.ReadFile(filepath.Join(top, "sibling")); string(got) != "keep" {
					t.Errorf("%s: a file beside the store changed", why)
				}
				if entries, _ := os.ReadDir(top); len(entries) != 2 {
					t.Errorf("%s: something was created beside the store: %v", why, entries)
				}
				noTemps(t, s)
				checkInside(t, name, s)
			})
		}
	}
}

func checkOutcome(t *testing.T, name, why string, err error) {
	t.Helper()
	switch want := hostileWant[name]; {
	case want == "fail" && err == nil:
		t.Errorf("%s: loaded, want an error", why)
	case want == "ok" && err != nil:
		t.Errorf("%s: %v, want it loaded inside the rootfs", why, err)
	case err != nil && strings.Contains(err.Error(), "\n"):
		t.Errorf("%s: the error is more than one line: %q", why, err)
	}
}

// checkInside looks at what the cases that load must have produced.
func checkInside(t *testing.T, name string, s *Store) {
	t.Helper()
	img, err := s.Lookup("hostile/" + name)
	if err != nil {
		return
	}
	top := s.LayerDiffDir(img.TopChainID())
	switch name {
	case "setuid":
		if fi, err := os.Stat(filepath.Join(top, "suid")); err != nil || fi.Mode()&fs.ModeSetuid == 0 {
			t.Errorf("setuid bit not kept: %v", err)
		}
	case "overlay-xattr":
		buf := make([]byte, 64)
		if n, err := getxattr(filepath.Join(top, "redir"), "trusted.overlay.redirect", buf); err == nil {
			t.Errorf("a layer set trusted.overlay.redirect=%q", buf[:n])
		}
	case "symlink-abs-file", "absolute":
		if s.Driver.Name() == "vfs" {
			if _, err := os.Stat(filepath.Join(top, victim, "evil")); err != nil {
				t.Errorf("the file should be inside the rootfs: %v", err)
			}
		}
	}
}

// victimOnce takes the victim's lock once per test binary and keeps it to
// the end: the victim's path is fixed (the corpus's images name it), so
// two test runs at once (worktrees, the bats suite's 08-hardening) would
// otherwise plant and remove it under each other.
var victimOnce sync.Once

func holdVictim(t *testing.T) {
	victimOnce.Do(func() {
		if _, err := state.AcquireLock(context.Background(), victim+".lock"); err != nil {
			t.Fatalf("lock the victim directory: %v", err)
		}
	})
}

// plantVictim (re)creates the victim directory and returns its snapshot.
func plantVictim(t *testing.T) string {
	t.Helper()
	holdVictim(t)
	os.RemoveAll(victim)
	if err := os.MkdirAll(victim, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(victim, "secret"), []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(victim) })
	return snapshot(t, victim)
}

// snapshot lists a tree: names, modes, owners' view and contents.
func snapshot(t *testing.T, root string) string {
	t.Helper()
	var b strings.Builder
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			b.WriteString(p + " " + err.Error() + "\n")
			return nil
		}
		fi, _ := d.Info()
		b.WriteString(p + " " + fi.Mode().String())
		if fi.Mode().IsRegular() {
			body, _ := os.ReadFile(p)
			b.WriteString(" " + string(body))
		}
		b.WriteString("\n")
		return nil
	})
	return b.String()
}

func getxattr(p, name string, buf []byte) (int, error) { return unix.Getxattr(p, name, buf) }
