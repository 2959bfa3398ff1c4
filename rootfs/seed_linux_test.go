package rootfs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
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

func needRootToChown(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown")
	}
}

// newVolume makes volume name in a new root, for a test that chowns.
func newVolume(t *testing.T, name string) (*Volumes, *Volume) {
	t.Helper()
	needRootToChown(t)
	v := &Volumes{Root: t.TempDir()}
	vol, _, err := v.Ensure(nil, name)
	must(t, err)
	return v, vol
}

func checkRoot(t *testing.T, dir string, mode, uid, gid uint32) {
	t.Helper()
	var st unix.Stat_t
	must(t, unix.Stat(dir, &st))
	if st.Mode&0o7777 != mode || st.Uid != uid || st.Gid != gid {
		t.Fatalf("%s: mode %o %d:%d, want %o %d:%d", dir, st.Mode&0o7777, st.Uid, st.Gid, mode, uid, gid)
	}
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	f, err := os.Open(dir)
	must(t, err)
	defer f.Close()
	n, err := f.Readdirnames(-1)
	must(t, err)
	sort.Strings(n)
	return n
}

func TestSeedCopiesOwnerModeLinks(t *testing.T) {
	v, vol := newVolume(t, "vm")
	// A staging directory left by a crash during the copy is cleared, not merged.
	must(t, os.MkdirAll(filepath.Join(v.dir("vm"), "_seed", "stale"), 0o755))
	src := seedSource(t)
	seed(t, v, "vm", src)

	checkRoot(t, vol.Mountpoint, 0o2775, 0, 8)
	var st unix.Stat_t
	must(t, unix.Stat(filepath.Join(vol.Mountpoint, "sub", "f"), &st))
	if st.Mode&0o7777 != 0o640 || st.Uid != 8 || st.Nlink != 2 {
		t.Fatalf("sub/f: mode %o uid %d links %d, want 640 8 2", st.Mode&0o7777, st.Uid, st.Nlink)
	}
	if dest, err := os.Readlink(filepath.Join(vol.Mountpoint, "escape")); err != nil || dest != "/etc/passwd" {
		t.Fatalf("escape: %q %v, want the symlink itself", dest, err)
	}
	if got := names(t, v.dir("vm")); !reflect.DeepEqual(got, []string{"_data", "lock", "volume.json"}) {
		t.Fatalf("volume directory holds %v, want no staging directory or marker left", got)
	}

	// Docker copies whenever the volume is empty: emptied, it is seeded again.
	for _, n := range names(t, vol.Mountpoint) {
		must(t, os.RemoveAll(filepath.Join(vol.Mountpoint, n)))
	}
	seed(t, v, "vm", src)
	if got := names(t, vol.Mountpoint); !reflect.DeepEqual(got, []string{"escape", "link", "sub"}) {
		t.Fatalf("emptied volume seeded again with %v", got)
	}
}

// A volume with data keeps it, and its root takes the image directory's
// owner and mode all the same (docker's copyOwnership).
func TestSeedKeepsANonEmptyVolumeButTakesOwnerMode(t *testing.T) {
	v, vol := newVolume(t, "data")
	must(t, os.WriteFile(filepath.Join(vol.Mountpoint, "mine"), []byte("user"), 0o600))
	seed(t, v, "data", seedSource(t))
	if got := names(t, vol.Mountpoint); !reflect.DeepEqual(got, []string{"mine"}) {
		t.Fatalf("non-empty volume changed: %v", got)
	}
	checkRoot(t, vol.Mountpoint, 0o2775, 0, 8)
}

// An empty image directory gives no contents, but its owner and mode.
func TestSeedFromAnEmptyDirTakesOwnerModeOnly(t *testing.T) {
	v, vol := newVolume(t, "home")
	src := filepath.Join(t.TempDir(), "home")
	must(t, os.Mkdir(src, 0o700))
	must(t, os.Chown(src, 5, 6))
	seed(t, v, "home", src)
	checkRoot(t, vol.Mountpoint, 0o700, 5, 6)
	if got := names(t, vol.Mountpoint); len(got) != 0 {
		t.Fatalf("got %v from an empty directory", got)
	}
}

// Seeding fills _data in place: a container that has it mounted already
// keeps the same directory, sees the image's files and can still write.
func TestSeedKeepsTheDataDirectory(t *testing.T) {
	v, vol := newVolume(t, "live")
	held, err := os.Open(vol.Mountpoint) // stands for another container's bind mount
	must(t, err)
	defer held.Close()
	seed(t, v, "live", seedSource(t))
	if got := names(t, fmt.Sprintf("/proc/self/fd/%d", held.Fd())); !reflect.DeepEqual(got, []string{"escape", "link", "sub"}) {
		t.Fatalf("the mounted directory holds %v, want the seeded files", got)
	}
	fd, err := unix.Openat(int(held.Fd()), "new", unix.O_CREAT|unix.O_WRONLY|unix.O_CLOEXEC, 0o644)
	if err != nil {
		t.Fatalf("the mounted directory is not writable after seeding: %v", err)
	}
	unix.Close(fd)
	if !present(filepath.Join(vol.Mountpoint, "new")) {
		t.Fatal("a file written through the mounted directory is not in the volume")
	}
}

// Moving never replaces a name already in the volume: a file a running
// container wrote meanwhile wins over the image's.
func TestMoveEntriesNeverReplaces(t *testing.T) {
	from, to := t.TempDir(), t.TempDir()
	must(t, os.WriteFile(filepath.Join(from, "a"), []byte("image"), 0o644))
	must(t, os.WriteFile(filepath.Join(from, "b"), []byte("image"), 0o644))
	must(t, os.Mkdir(filepath.Join(from, "d"), 0o755))
	must(t, os.WriteFile(filepath.Join(to, "b"), []byte("user"), 0o644))
	must(t, os.Mkdir(filepath.Join(to, "d"), 0o755)) // an empty directory: rename(2) would replace it
	must(t, os.WriteFile(filepath.Join(to, "d", "mine"), nil, 0o644))
	f, err := os.Open(from)
	must(t, err)
	defer f.Close()
	g, err := os.Open(to)
	must(t, err)
	defer g.Close()
	must(t, moveEntries(f, g))
	if got := names(t, to); !reflect.DeepEqual(got, []string{"a", "b", "d"}) {
		t.Fatalf("volume holds %v", got)
	}
	if b, _ := os.ReadFile(filepath.Join(to, "b")); string(b) != "user" {
		t.Fatalf("b replaced: %q", b)
	}
	if got := names(t, filepath.Join(to, "d")); !reflect.DeepEqual(got, []string{"mine"}) {
		t.Fatalf("d replaced: %v", got)
	}
}

// A crash after the copy was marked complete, in the middle of the moves,
// is finished by the next Seed, even one with nothing to seed from.
func TestSeedFinishesACrashedMove(t *testing.T) {
	v, vol := newVolume(t, "cut")
	dir := v.dir("cut")
	staged := filepath.Join(dir, "_seed")
	must(t, os.MkdirAll(filepath.Join(staged, "sub"), 0o755))
	must(t, os.WriteFile(filepath.Join(staged, "left"), []byte("image"), 0o644))
	must(t, os.Chown(staged, 0, 8))
	must(t, unix.Chmod(staged, 0o2775))
	must(t, os.WriteFile(filepath.Join(vol.Mountpoint, "moved"), []byte("image"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, seedingMarker), nil, 0o600))
	must(t, v.Seed(context.Background(), "cut", nil))
	if got := names(t, vol.Mountpoint); !reflect.DeepEqual(got, []string{"left", "moved", "sub"}) {
		t.Fatalf("volume holds %v after the move was finished", got)
	}
	checkRoot(t, vol.Mountpoint, 0o2775, 0, 8)
	if present(staged) || present(filepath.Join(dir, seedingMarker)) {
		t.Fatal("staging directory or marker left after the move was finished")
	}
}

// Without the marker a staging directory is a partial copy: it is
// removed and the volume is seeded afresh.
func TestSeedDiscardsAnUnmarkedCopy(t *testing.T) {
	v, vol := newVolume(t, "partial")
	staged := filepath.Join(v.dir("partial"), "_seed")
	must(t, os.MkdirAll(filepath.Join(staged, "half"), 0o755))
	must(t, v.Seed(context.Background(), "partial", nil)) // nothing marked: left for a seeding start
	seed(t, v, "partial", seedSource(t))
	if got := names(t, vol.Mountpoint); !reflect.DeepEqual(got, []string{"escape", "link", "sub"}) {
		t.Fatalf("volume holds %v, want the image's files only", got)
	}
	if present(staged) {
		t.Fatal("partial copy left")
	}
}

// A crash after the moves and the staging directory's removal, before
// the marker went, must not block the volume: the next Seed finishes.
func TestSeedFinishesWithTheMarkerAlone(t *testing.T) {
	v, vol := newVolume(t, "late")
	dir := v.dir("late")
	must(t, os.WriteFile(filepath.Join(vol.Mountpoint, "moved"), []byte("image"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, seedingMarker), nil, 0o600))
	must(t, v.Seed(context.Background(), "late", nil))
	if present(filepath.Join(dir, seedingMarker)) {
		t.Fatal("the marker stays, so every later start would fail")
	}
	if got := names(t, vol.Mountpoint); !reflect.DeepEqual(got, []string{"moved"}) {
		t.Fatalf("volume holds %v", got)
	}
}
