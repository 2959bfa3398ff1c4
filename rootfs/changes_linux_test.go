package rootfs

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func writeTree(t *testing.T, dir string, files ...string) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(dir, f)
		if strings.HasSuffix(f, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func changeLines(cs []Change) string {
	var s []string
	for _, c := range cs {
		s = append(s, c.String())
	}
	return strings.Join(s, "\n")
}

func TestOverlayChanges(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("whiteouts and trusted xattrs need root")
	}
	tmp := t.TempDir()
	lower, initL, upper := filepath.Join(tmp, "lower"), filepath.Join(tmp, "init"), filepath.Join(tmp, "upper")
	writeTree(t, lower, "bin/sh", "etc/passwd", "etc/group", "opq/a", "opq/b", "usr/lib/x", "home/")
	writeTree(t, initL, "etc/hosts", "proc/")
	// a symlink in the lower layer must not be followed by lookups below it
	if err := os.Symlink("/", filepath.Join(lower, "evil")); err != nil {
		t.Fatal(err)
	}
	writeTree(t, upper, "bin/", "etc/passwd", "new/dir/file", "opq/b", "home/u/.profile", "evil/etc/passwd")
	// nor a symlink the container made in its own layer
	if err := os.Symlink("/", filepath.Join(upper, "sym")); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mknod(filepath.Join(upper, "bin", "sh"), unix.S_IFCHR, 0); err != nil {
		t.Fatal(err)
	}
	if err := unix.Setxattr(filepath.Join(upper, "opq"), overlayOpaqueXattr, []byte("y"), 0); err != nil {
		t.Fatal(err)
	}
	raw, err := overlayChanges(upper, []string{initL, lower})
	if err != nil {
		t.Fatal(err)
	}
	got := changeLines(FinishChanges(raw, []string{"/etc/hosts"}))
	want := strings.Join([]string{
		"C /bin", "D /bin/sh", "C /etc", "C /etc/passwd",
		"C /evil", "A /evil/etc", "A /evil/etc/passwd",
		"C /home", "A /home/u", "A /home/u/.profile",
		"A /new", "A /new/dir", "A /new/dir/file",
		"C /opq", "D /opq/a", "C /opq/b", "A /sym",
	}, "\n")
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestSnapshotChanges(t *testing.T) {
	tmp := t.TempDir()
	base, root := filepath.Join(tmp, "base"), filepath.Join(tmp, "root")
	writeTree(t, base, "bin/sh", "etc/passwd", "etc/group", "gone/x", "same")
	writeTree(t, root, "bin/sh", "etc/passwd", "etc/group", "same", "new", "proc/", "etc/hosts")
	for _, f := range []string{"bin/sh", "etc/group", "same", "etc/passwd"} {
		st, _ := os.Lstat(filepath.Join(base, f))
		os.Chtimes(filepath.Join(root, f), st.ModTime(), st.ModTime())
	}
	os.WriteFile(filepath.Join(root, "etc/passwd"), []byte("longer now"), 0o644)
	raw, err := snapshotChanges(root, base)
	if err != nil {
		t.Fatal(err)
	}
	raw = pruneChanges(raw, []string{"/proc", "/etc/hosts"}, ChangeAdd)
	got := changeLines(FinishChanges(raw, nil))
	want := "C /etc\nC /etc/passwd\nD /gone\nA /new"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestFinishChangesDropsEngineMountPoints(t *testing.T) {
	raw := []Change{{"/data", ChangeAdd}, {"/data/x", ChangeAdd}, {"/a", ChangeAdd}, {"/a/b", ChangeAdd},
		{"/a/b/mnt", ChangeAdd}, {"/etc/hosts", ChangeModify}, {"/tmp/f", ChangeAdd}}
	got := FinishChanges(raw, []string{"/data", "/a/b/mnt", "/etc/hosts"})
	want := []Change{{"/tmp", ChangeModify}, {"/tmp/f", ChangeAdd}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
