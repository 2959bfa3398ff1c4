package registry

import (
	"archive/tar"
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/compression"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

func tarWith(t *testing.T, name, body string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg})
	tw.Write([]byte(body))
	tw.Close()
	return buf.Bytes()
}

// image builds an OCI image of the given layer tars, compressed with comp.
func image(t *testing.T, comp compression.Compression, tars ...[]byte) v1.Image {
	t.Helper()
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	for _, b := range tars {
		l, err := tarball.LayerFromReader(bytes.NewReader(b), tarball.WithCompression(comp), tarball.WithMediaType(layerType(comp)))
		if err != nil {
			t.Fatal(err)
		}
		if img, err = mutate.AppendLayers(img, l); err != nil {
			t.Fatal(err)
		}
	}
	return img
}

func layerType(c compression.Compression) types.MediaType {
	if c == compression.ZStd {
		return types.OCILayerZStd
	}
	return types.OCILayer
}

func write(t *testing.T, ref string, img v1.Image) {
	t.Helper()
	r, _ := name.ParseReference(ref)
	if err := remote.Write(r, img); err != nil {
		t.Fatal(err)
	}
}

func TestPullZstdLayers(t *testing.T) {
	needRoot(t)
	host := serve(t, nil)
	write(t, host+"/z/app:1", image(t, compression.ZStd, tarWith(t, "a", "zstd a"), tarWith(t, "b", "zstd b")))
	s := newStore(t)
	p, err := Pull(context.Background(), s, host+"/z/app:1", opts())
	if err != nil {
		t.Fatal(err)
	}
	img, _ := s.ImageByID(p.ID)
	top := s.LayerDiffDir(img.TopChainID())
	if got, _ := os.ReadFile(filepath.Join(top, "b")); string(got) != "zstd b" {
		t.Errorf("zstd layer unpacked wrong: %q", got)
	}
	m, _ := s.Layer(img.TopChainID())
	if m.MediaType != string(types.OCILayerZStd) {
		t.Errorf("media type %q", m.MediaType)
	}
}

// A pull of B beside rmi of A, which shares B's base layer, must never
// leave B without that layer.
func TestPullBesideRmiOfAnImageSharingALayer(t *testing.T) {
	needRoot(t)
	host := serve(t, nil)
	base := tarWith(t, "base", "shared")
	write(t, host+"/r/a:1", image(t, compression.GZip, base, tarWith(t, "a", "a")))
	write(t, host+"/r/b:1", image(t, compression.GZip, base, tarWith(t, "b", "b")))
	s := newStore(t)
	ctx := context.Background()
	never := func(string) bool { return false }
	for range 10 {
		if _, err := Pull(ctx, s, host+"/r/a:1", opts()); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var pullErr error
		wg.Go(func() { _, pullErr = Pull(ctx, s, host+"/r/b:1", opts()) })
		wg.Go(func() { s.RemoveImage(ctx, host+"/r/a:1", false, never) })
		wg.Wait()
		if pullErr != nil {
			t.Fatal(pullErr)
		}
		img, err := s.Lookup(host + "/r/b:1")
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range img.ChainIDs() {
			if !s.HasLayer(c) {
				t.Fatalf("b lost layer %s to the rmi of a", c)
			}
		}
		if _, err := s.RemoveImage(ctx, host+"/r/b:1", false, never); err != nil {
			t.Fatal(err)
		}
	}
}

// recorder is a Progress that keeps each layer's final status.
type recorder struct {
	mu       sync.Mutex
	statuses []string
}

func (r *recorder) Layer(string, int64) LayerProgress { return r }
func (r *recorder) Wait()                             {}
func (r *recorder) Add(int)                           {}
func (r *recorder) Done(status string, _ error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.statuses = append(r.statuses, status)
}

// A push sends no blob the registry already has. (go-containerregistry's
// registry keeps blobs across repositories, so this one cannot show mounts;
// test/07-registry.bats shows them with docker-registry.)
func TestPushSkipsBlobsTheRegistryHas(t *testing.T) {
	needRoot(t)
	var uploads atomic.Int32
	host := serve(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.URL.Path, "/blobs/uploads") && r.Method == http.MethodPatch {
				uploads.Add(1)
			}
			next.ServeHTTP(w, r)
		})
	})
	write(t, host+"/src/app:1", image(t, compression.GZip, tarWith(t, "a", "a"), tarWith(t, "b", "b")))
	before := uploads.Load()
	s := newStore(t)
	p, err := Pull(context.Background(), s, host+"/src/app:1", opts())
	if err != nil {
		t.Fatal(err)
	}
	s.Tag(context.Background(), p.ID, host+"/dst/app:1")
	rec := &recorder{}
	o := opts()
	o.Progress = rec
	if _, err := Push(context.Background(), s, host+"/dst/app:1", o); err != nil {
		t.Fatal(err)
	}
	if uploads.Load() != before {
		t.Errorf("%d blobs uploaded again", uploads.Load()-before)
	}
	if strings.Join(rec.statuses, ",") != "Layer already exists,Layer already exists" {
		t.Errorf("statuses %v", rec.statuses)
	}
}

func TestInsecureRegistries(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "registries.json")
	os.WriteFile(path, []byte(`{"insecure-registries": ["reg.example:5000"]}`), 0o600)
	list, err := LoadInsecure(path)
	if err != nil || len(list) != 1 {
		t.Fatalf("%v %v", list, err)
	}
	o := Options{Insecure: list}
	if !o.insecureFor("reg.example:5000") || o.insecureFor("other.example") {
		t.Error("only the listed registry is insecure")
	}
	if !(Options{NoTLSVerify: true}).insecureFor("other.example") {
		t.Error("--tls-verify=false makes every registry insecure")
	}
	ref, _ := o.parse("reg.example:5000/app")
	if ref.Context().Scheme() != "http" {
		t.Error("an insecure registry may fall back to http")
	}
	if none, err := LoadInsecure(filepath.Join(dir, "missing.json")); err != nil || none != nil {
		t.Errorf("a missing file is an empty list: %v %v", none, err)
	}
	os.WriteFile(path, []byte(`{`), 0o600)
	if _, err := LoadInsecure(path); err == nil {
		t.Error("a broken file must be reported")
	}
}
