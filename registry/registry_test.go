package registry

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/ctr-lite/ctr-lite/rootfs"
)

// These tests run go-containerregistry's in-memory registry on loopback.
// Unpacking chowns files, so they need root.

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("unpacking layers sets file owners: run as root")
	}
}

func newStore(t *testing.T) *rootfs.Store {
	t.Helper()
	s, err := rootfs.NewStore(t.TempDir(), "vfs")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Init(); err != nil {
		t.Fatal(err)
	}
	return s
}

// serve starts a registry; wrap, if set, sits in front of it.
func serve(t *testing.T, wrap func(http.Handler) http.Handler) string {
	t.Helper()
	var h http.Handler = ggcrregistry.New(ggcrregistry.Logger(nilLogger()))
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// upload writes a random image of n layers to ref and returns it.
func upload(t *testing.T, ref string, n int64) v1.Image {
	t.Helper()
	img, err := random.Image(4096, n)
	if err != nil {
		t.Fatal(err)
	}
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(r, img); err != nil {
		t.Fatal(err)
	}
	return img
}

func opts() Options { return Options{Keychain: authn.NewMultiKeychain()} }

// clean checks that nothing half-made is left in the store.
func clean(t *testing.T, s *rootfs.Store) {
	t.Helper()
	entries, _ := os.ReadDir(s.Driver.Home() + "/tmp")
	if len(entries) != 0 {
		t.Errorf("work directories left: %v", entries)
	}
}

func TestPullStoresVerifiedImage(t *testing.T) {
	needRoot(t)
	host := serve(t, nil)
	img := upload(t, host+"/test/app:1", 3)
	s := newStore(t)
	p, err := Pull(context.Background(), s, host+"/test/app:1", opts())
	if err != nil {
		t.Fatal(err)
	}
	want, _ := img.ConfigName()
	if p.ID != want.String() || !p.Fresh {
		t.Fatalf("pulled %+v, want ID %s", p, want)
	}
	got, err := s.Lookup(host + "/test/app@" + p.Digest)
	if err != nil || got.ID != p.ID {
		t.Fatalf("lookup by digest: %v", err)
	}
	for _, c := range got.ChainIDs() {
		if !s.HasLayer(c) {
			t.Errorf("layer %s missing", c)
		}
	}
	clean(t, s)
	again, err := Pull(context.Background(), s, host+"/test/app:1", opts())
	if err != nil || again.Fresh {
		t.Fatalf("second pull: %+v %v (want up to date)", again, err)
	}
}

func TestPullMissingTagAndRepo(t *testing.T) {
	host := serve(t, nil)
	upload(t, host+"/test/app:1", 1)
	s := newStore(t)
	_, err := Pull(context.Background(), s, host+"/test/app:nope", opts())
	if err == nil || !strings.Contains(err.Error(), "has no tag nope") {
		t.Fatalf("want a missing-tag error, got %v", err)
	}
	_, err = Pull(context.Background(), s, "127.0.0.1:1/x", opts())
	if err == nil || !strings.Contains(err.Error(), "unreachable") {
		t.Fatalf("want an unreachable error, got %v", err)
	}
}

// blobRewriter lets a test change blob bodies on their way out.
func blobRewriter(change func([]byte) []byte) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet || !strings.Contains(r.URL.Path, "/blobs/") {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			body := rec.Body.Bytes()
			if rec.Code == http.StatusOK {
				body = change(append([]byte(nil), body...))
			}
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			w.Write(body)
		})
	}
}

func TestPullRefusesCorruptAndTruncatedBlobs(t *testing.T) {
	needRoot(t)
	for name, change := range map[string]func([]byte) []byte{
		"corrupt":   func(b []byte) []byte { b[len(b)/2] ^= 0xff; return b },
		"truncated": func(b []byte) []byte { return b[:len(b)/2] },
	} {
		t.Run(name, func(t *testing.T) {
			// The last layer goes bad once: the vfs store commits the two
			// before it first, which the failed pull must take back.
			var armed sync.Once
			var target string
			host := serve(t, blobRewriter(func(b []byte) []byte {
				out := b
				if d, _, _ := v1.SHA256(bytes.NewReader(b)); d.String() == target {
					armed.Do(func() { out = change(b) })
				}
				return out
			}))
			img := upload(t, host+"/test/app:1", 3)
			layers, _ := img.Layers()
			d, _ := layers[2].Digest()
			target = d.String()
			s := newStore(t)
			_, err := Pull(context.Background(), s, host+"/test/app:1", opts())
			if err == nil {
				t.Fatal("a bad blob was accepted")
			}
			imgs, _ := s.Images()
			if len(imgs) != 0 {
				t.Errorf("image stored despite a bad layer: %v", imgs)
			}
			if left, _ := os.ReadDir(s.Driver.Home() + "/layers"); len(left) != 0 {
				t.Errorf("the good layers of a failed pull stayed, used by no image: %v", left)
			}
			clean(t, s)
			// The registry now serves good data: the next pull completes.
			if _, err := Pull(context.Background(), s, host+"/test/app:1", opts()); err != nil {
				t.Fatalf("pull after a failed one: %v", err)
			}
		})
	}
}

func TestConcurrentPullsStoreOnce(t *testing.T) {
	needRoot(t)
	host := serve(t, nil)
	upload(t, host+"/test/app:1", 4)
	s := newStore(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { _, errs[i] = Pull(context.Background(), s, host+"/test/app:1", opts()) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if imgs, _ := s.Images(); len(imgs) != 1 {
		t.Fatalf("want one image, got %d", len(imgs))
	}
	clean(t, s)
}

func TestPushThenPullRoundTrip(t *testing.T) {
	needRoot(t)
	host := serve(t, nil)
	upload(t, host+"/src/app:1", 2)
	a := newStore(t)
	pulled, err := Pull(context.Background(), a, host+"/src/app:1", opts())
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Tag(context.Background(), pulled.ID, host+"/dst/app:2"); err != nil {
		t.Fatal(err)
	}
	pushed, err := Push(context.Background(), a, host+"/dst/app:2", opts())
	if err != nil {
		t.Fatal(err)
	}
	if pushed.Digest != pulled.Digest {
		t.Errorf("pushed manifest %s differs from the pulled %s: blobs should be kept as they came", pushed.Digest, pulled.Digest)
	}
	b := newStore(t)
	again, err := Pull(context.Background(), b, host+"/dst/app@"+pushed.Digest, opts())
	if err != nil || again.ID != pulled.ID {
		t.Fatalf("pull by digest: %+v %v", again, err)
	}
}

func TestPlatformChoice(t *testing.T) {
	needRoot(t)
	host := serve(t, nil)
	var adds []mutate.IndexAddendum
	for _, p := range []v1.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64"}} {
		img, _ := random.Image(1024, 1)
		cfg, _ := img.ConfigFile()
		cfg.OS, cfg.Architecture = p.OS, p.Architecture
		img, _ = mutate.ConfigFile(img, cfg)
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &p}})
	}
	ref, _ := name.ParseReference(host + "/multi/app:1")
	if err := remote.WriteIndex(ref, mutate.AppendManifests(empty.Index, adds...)); err != nil {
		t.Fatal(err)
	}
	s := newStore(t)
	o := opts()
	o.Platform = &v1.Platform{OS: "linux", Architecture: "arm64"}
	p, err := Pull(context.Background(), s, ref.String(), o)
	if err != nil {
		t.Fatal(err)
	}
	img, _ := s.ImageByID(p.ID)
	if img.Config.Architecture != "arm64" {
		t.Errorf("got %s, want arm64", img.Config.Architecture)
	}
	o.Platform = &v1.Platform{OS: "linux", Architecture: "s390x"}
	_, err = Pull(context.Background(), s, ref.String(), o)
	if err == nil || !strings.Contains(err.Error(), "linux/amd64, linux/arm64") {
		t.Fatalf("want the platforms listed, got %v", err)
	}
}

func TestLoginChecksCredentials(t *testing.T) {
	needRoot(t)
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	host := serve(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if u, p, ok := r.BasicAuth(); !ok || u != "ci" || p != "s3cret" {
				w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
				http.Error(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`, http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	if _, err := Login(context.Background(), host, "ci", "wrong", Options{}); err == nil || !strings.Contains(err.Error(), "credentials") {
		t.Fatalf("want refused credentials, got %v", err)
	}
	if _, err := Login(context.Background(), host, "ci", "s3cret", Options{}); err != nil {
		t.Fatal(err)
	}
	ref, _ := name.ParseReference(host + "/test/app:1")
	img, _ := random.Image(1024, 1)
	if err := remote.Write(ref, img, remote.WithAuth(&authn.Basic{Username: "ci", Password: "s3cret"})); err != nil {
		t.Fatal(err)
	}
	if _, err := Pull(context.Background(), newStore(t), ref.String(), Options{}); err != nil {
		t.Fatalf("pull with stored credentials: %v", err)
	}
	if _, had, err := Logout(host, Options{}); err != nil || !had {
		t.Fatalf("logout: %v %v", had, err)
	}
	_, err := Pull(context.Background(), newStore(t), ref.String(), Options{})
	if err == nil || !strings.Contains(err.Error(), "login") {
		t.Fatalf("want a login hint after logout, got %v", err)
	}
}

// TestPullTagAndDigestIsTheDigest: docker pulls NAME:TAG@DIGEST by the
// digest alone and stores no tag; the same string finds it afterwards.
func TestPullTagAndDigestIsTheDigest(t *testing.T) {
	needRoot(t)
	host := serve(t, nil)
	img := upload(t, host+"/test/app:1", 1)
	d, _ := img.Digest()
	s := newStore(t)
	both := host + "/test/app:nosuchtag@" + d.String()
	p, err := Pull(context.Background(), s, both, opts())
	if err != nil {
		t.Fatal(err)
	}
	if want := host + "/test/app@" + d.String(); p.Ref != want {
		t.Errorf("pulled as %q, want %q", p.Ref, want)
	}
	got, err := s.Lookup(both)
	if err != nil || got.ID != p.ID {
		t.Fatalf("lookup of %q after its pull: %v", both, err)
	}
	if len(got.RepoTags) != 0 || len(got.RepoDigests) != 1 {
		t.Errorf("tags %v digests %v, want no tag and one digest", got.RepoTags, got.RepoDigests)
	}
}
