package rootfs

import (
	"os"
	"path/filepath"
	"testing"
	"time"
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
	s, err := NewStore(t.TempDir(), "overlay")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Init(); err != nil {
		t.Fatal(err)
	}
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
