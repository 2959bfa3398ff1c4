package rootfs

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// seedSource makes an image directory like Debian's /var/mail (root:mail
// 2775) with a file, a hard link, a nested directory and a symlink that
// points out of the rootfs.
func seedSource(t *testing.T) string {
	t.Helper()
	src := filepath.Join(t.TempDir(), "mail")
	must(t, os.MkdirAll(filepath.Join(src, "sub"), 0o755))
	must(t, os.WriteFile(filepath.Join(src, "sub", "f"), []byte("image"), 0o640))
	must(t, os.Link(filepath.Join(src, "sub", "f"), filepath.Join(src, "link")))
	must(t, os.Symlink("/etc/passwd", filepath.Join(src, "escape")))
	must(t, os.Chown(filepath.Join(src, "sub", "f"), 8, 8))
	must(t, os.Chown(src, 0, 8))
	must(t, unix.Chmod(src, 0o2775))
	return src
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func seed(t *testing.T, v *Volumes, name, src string) {
	t.Helper()
	f, err := os.Open(src)
	must(t, err)
	defer f.Close()
	must(t, v.Seed(context.Background(), name, f))
}

func TestSeedCopiesOwnerModeLinksOnce(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown")
	}
	v := &Volumes{Root: t.TempDir()}
	vol, _, err := v.Ensure(nil, "vm")
	must(t, err)
	// A staging directory left by a crash is cleared, not merged.
	must(t, os.MkdirAll(filepath.Join(v.dir("vm"), "_seed", "stale"), 0o755))
	src := seedSource(t)
	seed(t, v, "vm", src)

	var st unix.Stat_t
	must(t, unix.Stat(vol.Mountpoint, &st))
	if st.Mode&0o7777 != 0o2775 || st.Uid != 0 || st.Gid != 8 {
		t.Fatalf("volume root: mode %o %d:%d, want 2775 0:8", st.Mode&0o7777, st.Uid, st.Gid)
	}
	must(t, unix.Stat(filepath.Join(vol.Mountpoint, "sub", "f"), &st))
	if st.Mode&0o7777 != 0o640 || st.Uid != 8 || st.Nlink != 2 {
		t.Fatalf("sub/f: mode %o uid %d links %d, want 640 8 2", st.Mode&0o7777, st.Uid, st.Nlink)
	}
	if dest, err := os.Readlink(filepath.Join(vol.Mountpoint, "escape")); err != nil || dest != "/etc/passwd" {
		t.Fatalf("escape: %q %v, want the symlink itself", dest, err)
	}
	if _, err := os.Stat(filepath.Join(v.dir("vm"), "_seed")); !os.IsNotExist(err) {
		t.Fatalf("staging directory left: %v", err)
	}
	if got, _ := v.Get("vm"); !got.Seeded {
		t.Fatal("volume not marked seeded")
	}

	// Seeded once: emptied and mounted again, it stays empty.
	must(t, os.RemoveAll(vol.Mountpoint))
	must(t, os.Mkdir(vol.Mountpoint, 0o755))
	seed(t, v, "vm", src)
	if names, _ := os.ReadDir(vol.Mountpoint); len(names) != 0 {
		t.Fatalf("seeded twice: %v", names)
	}
}

func TestSeedKeepsANonEmptyVolume(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown")
	}
	v := &Volumes{Root: t.TempDir()}
	vol, _, err := v.Ensure(nil, "data")
	must(t, err)
	must(t, os.WriteFile(filepath.Join(vol.Mountpoint, "mine"), []byte("user"), 0o600))
	seed(t, v, "data", seedSource(t))
	names, _ := os.ReadDir(vol.Mountpoint)
	if len(names) != 1 || names[0].Name() != "mine" {
		t.Fatalf("non-empty volume changed: %v", names)
	}
	var st unix.Stat_t
	must(t, unix.Stat(vol.Mountpoint, &st))
	if st.Mode&0o7777 != 0o755 {
		t.Fatalf("non-empty volume root mode %o, want 755 kept", st.Mode&0o7777)
	}
	if got, _ := v.Get("data"); !got.Seeded {
		t.Fatal("volume not marked seeded")
	}
}
