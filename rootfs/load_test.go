package rootfs

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// ociLayout writes an OCI layout directory with one image of one layer.
// Its index entry carries annotations; with nested, the entry is an image
// index holding a manifest for another platform and one for this host.
func ociLayout(t *testing.T, annotations map[string]string, nested bool) string {
	t.Helper()
	dir := t.TempDir()
	blobs := filepath.Join(dir, "blobs", "sha256")
	if err := os.MkdirAll(blobs, 0o755); err != nil {
		t.Fatal(err)
	}
	put := func(v any) (string, int) {
		raw, _ := json.Marshal(v)
		if b, ok := v.([]byte); ok {
			raw = b
		}
		h := sha256Hex(string(raw))
		if err := os.WriteFile(filepath.Join(blobs, h), raw, 0o644); err != nil {
			t.Fatal(err)
		}
		return "sha256:" + h, len(raw)
	}
	l := rawLayer(t, reg("hello", "hi"))
	ld, ls := put(l)
	cd, cs := put(map[string]any{"os": "linux", "architecture": runtime.GOARCH,
		"rootfs": map[string]any{"type": "layers", "diff_ids": []string{ld}}})
	md, ms := put(map[string]any{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
		"config": map[string]any{"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
		"layers": []map[string]any{{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": ld, "size": ls}}})
	entry := map[string]any{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": ms, "annotations": annotations}
	if nested {
		other := "s390x"
		if runtime.GOARCH == other {
			other = "arm64"
		}
		id, is := put(map[string]any{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
			"manifests": []map[string]any{
				{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + strings.Repeat("0", 64), "size": 1,
					"platform": map[string]string{"os": "linux", "architecture": other}},
				{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": ms,
					"platform": map[string]string{"os": "linux", "architecture": runtime.GOARCH}},
			}})
		entry = map[string]any{"mediaType": "application/vnd.oci.image.index.v1+json", "digest": id, "size": is, "annotations": annotations}
	}
	index, _ := json.Marshal(map[string]any{"schemaVersion": 2, "manifests": []any{entry}})
	os.WriteFile(filepath.Join(dir, "oci-layout"), []byte(`{"imageLayoutVersion":"1.0.0"}`), 0o644)
	if err := os.WriteFile(filepath.Join(dir, "index.json"), index, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestLoadOCINames: an OCI image is named by its own annotations, as
// docker's load names it, never after the archive's file name.
func TestLoadOCINames(t *testing.T) {
	for _, c := range []struct {
		name        string
		annotations map[string]string
		want        string // "" for an image loaded without a name
	}{
		{"ref.name is only a tag", map[string]string{annotationRefName: "bookworm-oci"}, ""},
		{"no annotations", nil, ""},
		{"containerd name wins", map[string]string{annotationImageName: "docker.io/library/debian:bookworm", annotationRefName: "bookworm"}, "debian:bookworm"},
		{"ref.name is a full reference", map[string]string{annotationRefName: "quay.io/org/app:2"}, "quay.io/org/app:2"},
		{"ref.name is a short reference", map[string]string{annotationRefName: "index.docker.io/library/app"}, "app:latest"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := vfsStore(t)
			names, err := s.Load(context.Background(), ociLayout(t, c.annotations, c.name == "containerd name wins"))
			if err != nil || len(names) != 1 {
				t.Fatalf("Load = %v, %v", names, err)
			}
			imgs, err := s.Images()
			if err != nil || len(imgs) != 1 {
				t.Fatalf("Images = %v, %v", imgs, err)
			}
			if c.want == "" {
				if names[0] != (Loaded{ID: imgs[0].ID}) || len(imgs[0].RepoTags) != 0 {
					t.Errorf("Load = %v, tags %v; want ID %s only and no tags", names, imgs[0].RepoTags, imgs[0].ID)
				}
				return
			}
			if names[0] != (Loaded{Ref: c.want, ID: imgs[0].ID}) || len(imgs[0].RepoTags) != 1 || imgs[0].RepoTags[0] != c.want {
				t.Errorf("Load = %v, tags %v; want %s", names, imgs[0].RepoTags, c.want)
			}
		})
	}
}

// TestLoadDockerArchiveNames: RepoTags are stored in the one familiar form;
// a name that is not NAME:TAG is refused before any layer is committed.
func TestLoadDockerArchiveNames(t *testing.T) {
	s := vfsStore(t)
	l := rawLayer(t, reg("a", "1"))
	names, err := s.Load(context.Background(), archive(t, "docker.io/library/app:1", [][]byte{l}, nil, nil))
	if err != nil || len(names) != 1 || names[0].Ref != "app:1" || !strings.HasPrefix(names[0].ID, "sha256:") {
		t.Fatalf("Load = %v, %v; want [app:1]", names, err)
	}
	app := strings.TrimPrefix(names[0].ID, "sha256:")
	for _, c := range []struct{ bad, want string }{
		{"app@sha256:" + hex64, ""},
		{"UPPER:1", ""},
		{"a b", ""},
		// docker's load wants the tag written out
		{"foo", `invalid tag "foo"`},
		{"localhost:5000/foo", `invalid tag "localhost:5000/foo"`},
		// names that would take over the loaded image's full ID (review 2b #3)
		{"sha256:" + app, "digest algorithm as name"},
		{app + ":latest", "64-byte hexadecimal"},
	} {
		names, err := s.Load(context.Background(), archive(t, c.bad, [][]byte{rawLayer(t, reg("b", c.bad))}, nil, nil))
		if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Load of an archive naming %q = %v, %v; want a one-line error with %q", c.bad, names, err, c.want)
		}
	}
	for _, ref := range []string{app, "sha256:" + app, app[:12]} {
		if img, err := s.Resolve(ref); err != nil || img.ID != names[0].ID {
			t.Errorf("Resolve(%q) = %v, %v; want the loaded app", ref, img, err)
		}
	}
	if imgs, _ := s.Images(); len(imgs) != 1 {
		t.Errorf("refused archives left images: %d", len(imgs))
	}
	noTemps(t, s)
}

func TestLoadOCIRefusesBadDigest(t *testing.T) {
	dir := ociLayout(t, nil, false)
	os.WriteFile(filepath.Join(dir, "index.json"), []byte(`{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:../../../../etc/passwd","size":1}]}`), 0o644)
	if _, err := vfsStore(t).Load(context.Background(), dir); err == nil {
		t.Error("a digest naming a path was accepted")
	}
}

// TestLoadRetriesRemovedLayer: a layer that a concurrent rmi or failed
// load removes between its commit and AddImage is committed again, as
// pull does; a layer that keeps disappearing fails the load after three
// tries (review 2b #7).
func TestLoadRetriesRemovedLayer(t *testing.T) {
	for _, c := range []struct {
		removals int
		wantErr  bool
	}{{1, false}, {2, false}, {3, true}} {
		s := vfsStore(t)
		tar := archive(t, "app:1", [][]byte{rawLayer(t, reg("a", "1")), rawLayer(t, reg("b", "2"))}, nil, nil)
		calls := 0
		s.beforeAdd = func() {
			calls++
			if calls <= c.removals { // as rmi does: the layer's whole directory
				entries, _ := os.ReadDir(filepath.Join(s.Driver.Home(), "layers"))
				os.RemoveAll(filepath.Join(s.Driver.Home(), "layers", entries[0].Name()))
			}
		}
		_, err := s.Load(context.Background(), tar)
		if (err != nil) != c.wantErr {
			t.Fatalf("%d removals: Load = %v, want error %v", c.removals, err, c.wantErr)
		}
		if c.wantErr {
			if !strings.Contains(err.Error(), "keep disappearing") {
				t.Errorf("%d removals: %v", c.removals, err)
			}
			continue
		}
		img, err := s.Lookup("app:1")
		if err != nil {
			t.Fatal(err)
		}
		for _, chain := range img.ChainIDs() {
			if !s.HasLayer(chain) {
				t.Errorf("%d removals: layer %s missing after load", c.removals, chain)
			}
		}
	}
}
