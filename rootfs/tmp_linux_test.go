package rootfs

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// A load's extracted archive is a work directory in use: a sweep started
// by a concurrent pull, load or prune must leave it alone (issue 10 #6).
func TestSweepTmpKeepsLoadInProgress(t *testing.T) {
	s := vfsStore(t)
	dir, cleanup, err := s.openArchive(archive(t, "app:1", [][]byte{rawLayer(t, reg("f", "x"))}, nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	s.SweepTmp()
	if !exists(filepath.Join(dir, "manifest.json")) {
		t.Fatal("SweepTmp removed the archive of a load in progress")
	}
	cleanup()
	noTemps(t, s)
}

func TestSweepTmpKeepsHeldRemovesStale(t *testing.T) {
	s := vfsStore(t)
	held, release, err := s.newWorkDir("init-")
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	stale := filepath.Join(s.tmpDir(), "load-stale") // a killed process's, unlocked
	fresh := filepath.Join(s.tmpDir(), newWorkPrefix+"fresh")
	old := filepath.Join(s.tmpDir(), newWorkPrefix+"old")
	for _, p := range []string{stale, fresh, old} {
		if err := os.Mkdir(p, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	long := time.Now().Add(-time.Hour)
	os.Chtimes(old, long, long)
	done := make(chan struct{})
	go func() { s.SweepTmp(); close(done) }() // as another process would
	s.SweepTmp()
	<-done
	if !exists(held) {
		t.Error("a held work directory was swept")
	}
	if !exists(fresh) {
		t.Error("a young .new- directory was swept: its creator may be about to lock it")
	}
	if exists(stale) || exists(old) {
		t.Error("unlocked work directories of dead processes must be swept")
	}
}

// The overlay init layer is built in a work directory too; sweeping
// throughout its build must not break it.
func TestSweepTmpDuringInitLayerBuild(t *testing.T) {
	s := testStore(t, "overlay")
	d := s.Driver.(*overlayDriver)
	stop := make(chan struct{})
	swept := make(chan struct{})
	go func() {
		defer close(swept)
		for {
			select {
			case <-stop:
				return
			default:
				s.SweepTmp()
			}
		}
	}()
	defer func() { close(stop); <-swept }()
	top := "sha256:" + sha256Hex("no layers")
	for i := 0; i < 100; i++ {
		if err := d.ensureInit(nil, top); err != nil {
			t.Fatalf("build %d: %v", i, err)
		}
		if err := os.RemoveAll(d.initDir(top)); err != nil {
			t.Fatal(err)
		}
	}
}

// A load killed mid-way leaves its archive's entries in tmp/: a top-level
// symlink "merged -> /boot" must not make the next sweep unmount /boot
// (review 1 #1). Only an init- build directory's own mount is unmounted.
// Root only: it mounts tmpfs.
func TestSweepTmpUnmountsOnlyInitBuildMounts(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounts tmpfs: run as root")
	}
	s := vfsStore(t)
	victim := mountTmpfs(t, t.TempDir())
	if err := os.WriteFile(filepath.Join(victim, "data"), []byte("host"), 0o600); err != nil {
		t.Fatal(err)
	}
	hostile := filepath.Join(s.tmpDir(), "load-killed")
	if err := os.Mkdir(hostile, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(hostile, "merged")); err != nil {
		t.Fatal(err)
	}
	build := filepath.Join(s.tmpDir(), initWorkPrefix+"killed")
	if err := os.MkdirAll(filepath.Join(build, "merged"), 0o700); err != nil {
		t.Fatal(err)
	}
	mountTmpfs(t, filepath.Join(build, "merged"))

	s.SweepTmp()
	if !isMountpoint(victim) || !exists(filepath.Join(victim, "data")) {
		t.Error("SweepTmp unmounted the mount a load directory's symlink named")
	}
	if exists(hostile) {
		t.Error("the killed load's directory was kept")
	}
	if exists(build) {
		t.Error("the killed init layer build was kept (still mounted?)")
	}
}

// mountTmpfs mounts a tmpfs on dir until the test ends.
func mountTmpfs(t *testing.T, dir string) string {
	t.Helper()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=1m"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Unmount(dir, unix.MNT_DETACH|unix.UMOUNT_NOFOLLOW) })
	return dir
}
