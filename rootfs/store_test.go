package rootfs

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func rawLayer(t *testing.T, entries ...tentry) []byte {
	b, _ := io.ReadAll(layer(t, entries...))
	return b
}

// archive writes a docker-archive tar with one image of the given layers;
// diffIDs may be overridden to simulate corruption.
func archive(t *testing.T, tag string, layers [][]byte, diffIDs []string, manifestLayers []string) string {
	t.Helper()
	if diffIDs == nil {
		for _, l := range layers {
			diffIDs = append(diffIDs, "sha256:"+sha256Hex(string(l)))
		}
	}
	cfg, _ := json.Marshal(map[string]any{"os": "linux", "architecture": "amd64",
		"config": map[string]any{"Cmd": []string{"sh"}}, "rootfs": map[string]any{"type": "layers", "diff_ids": diffIDs}})
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	add := func(name string, body []byte) {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg})
		tw.Write(body)
	}
	var names []string
	for i, l := range layers {
		name := "l" + string(rune('0'+i)) + "/layer.tar"
		add(name, l)
		names = append(names, name)
	}
	if manifestLayers != nil {
		names = manifestLayers
	}
	add("config.json", cfg)
	manifest, _ := json.Marshal([]map[string]any{{"Config": "config.json", "RepoTags": []string{tag}, "Layers": names}})
	add("manifest.json", manifest)
	tw.Close()
	p := filepath.Join(t.TempDir(), "image.tar")
	os.WriteFile(p, buf.Bytes(), 0o644)
	return p
}

func vfsStore(t *testing.T) *Store { return testStore(t, "vfs") }

// testStore is a new, initialised store on driver in a test directory.
func testStore(t *testing.T, driver string) *Store {
	t.Helper()
	s, err := NewStore(t.TempDir(), driver)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Init(); err != nil {
		t.Fatal(err)
	}
	return s
}

func noTemps(t *testing.T, s *Store) {
	t.Helper()
	entries, _ := os.ReadDir(s.tmpDir())
	if len(entries) != 0 {
		t.Fatalf("temporary files left in the store: %v", entries)
	}
}

func TestLoadLookupRemove(t *testing.T) {
	s := vfsStore(t)
	ctx := context.Background()
	l1 := rawLayer(t, dirE("etc/"), reg("etc/a", "1"))
	l2 := rawLayer(t, reg("etc/.wh.a", ""), reg("etc/b", "2"))
	names, err := s.Load(ctx, archive(t, "app:1", [][]byte{l1, l2}, nil, nil))
	if err != nil || len(names) != 1 || names[0].Ref != "app:1" {
		t.Fatalf("Load = %v, %v", names, err)
	}
	noTemps(t, s)
	img, err := s.Lookup("app:1")
	if err != nil {
		t.Fatal(err)
	}
	top := s.LayerDiffDir(img.TopChainID())
	if exists(filepath.Join(top, "etc/a")) || !exists(filepath.Join(top, "etc/b")) {
		t.Error("vfs snapshot must have the whiteout applied")
	}
	if byID, err := s.Lookup(strings.TrimPrefix(img.ID, "sha256:")[:8]); err != nil || byID.ID != img.ID {
		t.Errorf("lookup by ID prefix: %v", err)
	}
	if _, err := s.RemoveImage(ctx, "app:1", false, func(string) bool { return true }); err == nil {
		t.Error("rmi of an image in use must be refused")
	}
	out, err := s.RemoveImage(ctx, "app:1", false, func(string) bool { return false })
	if err != nil || len(out) != 4 { // untagged, deleted image, two layers
		t.Fatalf("rmi: %v %v", out, err)
	}
	if s.HasLayer(img.TopChainID()) {
		t.Error("layers must be deleted with the last image using them")
	}
	if _, err := s.Lookup("app:1"); !errors.Is(err, ErrImageNotFound) {
		t.Errorf("want not found, got %v", err)
	}
}

func TestLoadCorruptLayerLeavesNothing(t *testing.T) {
	s := vfsStore(t)
	l1 := rawLayer(t, reg("f", "x"))
	bad := []string{"sha256:" + strings.Repeat("0", 64)}
	_, err := s.Load(context.Background(), archive(t, "bad:1", [][]byte{l1}, bad, nil))
	if err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Fatalf("want a corruption error, got %v", err)
	}
	noTemps(t, s)
	if s.HasLayer(bad[0]) {
		t.Error("a corrupt layer became visible")
	}
	if imgs, _ := s.Images(); len(imgs) != 0 {
		t.Errorf("no image may be stored, got %v", imgs)
	}
}

func TestLoadRefusesMembersOutsideArchive(t *testing.T) {
	s := vfsStore(t)
	l1 := rawLayer(t, reg("f", "x"))
	_, err := s.Load(context.Background(), archive(t, "x:1", [][]byte{l1}, nil, []string{"../../etc/passwd"}))
	if err == nil {
		t.Fatal("a manifest naming a file outside the archive must fail")
	}
	noTemps(t, s)
}

func TestLoadNotAnArchive(t *testing.T) {
	s := vfsStore(t)
	p := filepath.Join(t.TempDir(), "x.tar")
	os.WriteFile(p, []byte("not a tar"), 0o644)
	if _, err := s.Load(context.Background(), p); err == nil {
		t.Fatal("want error")
	}
	noTemps(t, s)
}
