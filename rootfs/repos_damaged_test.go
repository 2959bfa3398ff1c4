package rootfs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDamagedRepositoriesKeepsImagesByID(t *testing.T) {
	s := vfsStore(t)
	var warned []string
	s.Warn = func(m string) { warned = append(warned, m) }
	ctx := context.Background()
	if _, err := s.Load(ctx, archive(t, "app:1", [][]byte{rawLayer(t, reg("a", "1"))}, nil, nil)); err != nil {
		t.Fatal(err)
	}
	img, err := s.Lookup("app:1")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.reposPath(), []byte(`{"app:1":"sha`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Lookup(strings.TrimPrefix(img.ID, "sha256:")[:12]); err != nil {
		t.Fatalf("lookup by ID with a damaged index: %v", err)
	}
	if !errors.Is(s.CheckIndex(), ErrIndexDamaged) {
		t.Errorf("CheckIndex = %v, want ErrIndexDamaged", s.CheckIndex())
	}
	if _, err := s.Images(); err != nil {
		t.Fatal(err)
	}
	if len(warned) != 1 {
		t.Errorf("want one warning that the index is damaged, once per process: %q", warned)
	}
	if _, err := s.Load(ctx, archive(t, "app:1", [][]byte{rawLayer(t, reg("a", "1"))}, nil, nil)); err != nil {
		t.Fatalf("load over a damaged index: %v", err)
	}
	if _, err := s.Lookup("app:1"); err != nil {
		t.Fatalf("the next load must write a sound index: %v", err)
	}
	if err := s.CheckIndex(); err != nil {
		t.Errorf("CheckIndex after the rewrite: %v", err)
	}
	// the damaged file is kept aside, and the warning names it
	aside, _ := filepath.Glob(s.reposPath() + ".damaged-*")
	if len(aside) != 1 {
		t.Fatalf("damaged index kept as %v, want one file", aside)
	}
	if b, _ := os.ReadFile(aside[0]); string(b) != `{"app:1":"sha` {
		t.Errorf("%s holds %q, want the damaged bytes", aside[0], b)
	}
	if len(warned) != 2 || !strings.Contains(warned[1], aside[0]) {
		t.Errorf("no warning names %s: %q", aside[0], warned)
	}
	// damaged again in the same second: a second aside file, the first kept
	os.WriteFile(s.reposPath(), nil, 0o600)
	if err := s.Tag(ctx, img.ID, "app:2"); err != nil {
		t.Fatal(err)
	}
	if again, _ := filepath.Glob(s.reposPath() + ".damaged-*"); len(again) != 2 {
		t.Errorf("damaged index copies %v, want two", again)
	}
}

func TestDamagedVolumeRecord(t *testing.T) {
	v := &Volumes{Root: t.TempDir()}
	var warned int
	v.Warn = func(string) { warned++ }
	vol, created, err := v.Ensure(nil, "v")
	if err != nil || !created {
		t.Fatal(err)
	}
	os.WriteFile(vol.Mountpoint+"/data", []byte("keep"), 0o600)
	os.WriteFile(v.dir("v")+"/volume.json", nil, 0o600)
	if list, err := v.List(); err != nil || len(list) != 1 || list[0].Name != "v" {
		t.Fatalf("List hides a damaged volume: %v %v", list, err)
	}
	if again, created, err := v.Ensure(nil, "v"); err != nil || created || again.Mountpoint != vol.Mountpoint {
		t.Fatalf("Ensure must repair, not re-create: %v %v", created, err)
	}
	if data, _ := os.ReadFile(vol.Mountpoint + "/data"); string(data) != "keep" {
		t.Error("repair lost the volume's data")
	}
	if _, err := v.Get("v"); err != nil {
		t.Errorf("record not repaired: %v", err)
	}
	os.WriteFile(v.dir("v")+"/volume.json", []byte("{"), 0o600)
	if err := v.Remove("v"); err != nil {
		t.Fatalf("Remove of a damaged volume: %v", err)
	}
	if warned < 3 {
		t.Errorf("%d warnings, want one per damaged read", warned)
	}
}
