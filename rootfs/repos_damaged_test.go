package rootfs

import (
	"context"
	"os"
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
	if len(warned) == 0 {
		t.Error("no warning said the index was damaged")
	}
	if _, err := s.Load(ctx, archive(t, "app:1", [][]byte{rawLayer(t, reg("a", "1"))}, nil, nil)); err != nil {
		t.Fatalf("load over a damaged index: %v", err)
	}
	if _, err := s.Lookup("app:1"); err != nil {
		t.Fatalf("the next load must write a sound index: %v", err)
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
