package registry

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/sync/errgroup"

	"github.com/ctr-lite/ctr-lite/rootfs"
	"github.com/ctr-lite/ctr-lite/state"
)

// parallelLayers is how many layers download and unpack at once.
const parallelLayers = 3

// Pulled is the outcome of a pull.
type Pulled struct {
	ID     string // image ID
	Ref    string // familiar reference pulled
	Digest string // manifest digest the reference resolved to
	Fresh  bool   // some layer or the image itself was new
}

// Pull fetches ref into store and tags it: the tag (if the reference has
// one) and repo@digest.
func Pull(ctx context.Context, store *rootfs.Store, s string, o Options) (*Pulled, error) {
	ref, err := o.parse(s)
	if err != nil {
		return nil, err
	}
	p, err := pull(ctx, store, ref, o)
	if err != nil {
		return nil, fmt.Errorf("pull %q: %w", rootfs.FamiliarRef(ref), describe(err, ref))
	}
	return p, nil
}

func pull(ctx context.Context, store *rootfs.Store, ref name.Reference, o Options) (_ *Pulled, retErr error) {
	store.SweepTmp()
	desc, err := remote.Get(ref, o.remote(ctx, ref.Context().Registry)...)
	if err != nil {
		return nil, err
	}
	img, err := choosePlatform(desc, o.Platform)
	if err != nil {
		return nil, err
	}
	raw, cfg, manifest, err := readImage(img, o.Platform)
	if err != nil {
		return nil, err
	}
	defer func() {
		if retErr != nil { // layers committed for an image that never came
			store.DropUnused(context.Background(), (&rootfs.Image{Config: *cfg}).ChainIDs())
		}
	}()
	digestRef := ref.Context().Digest(desc.Digest.String())
	refs := []string{rootfs.FamiliarRef(digestRef)}
	if tag, ok := ref.(name.Tag); ok {
		refs = append(refs, rootfs.FamiliarRef(tag))
	}
	out := &Pulled{Ref: rootfs.FamiliarRef(ref), Digest: desc.Digest.String()}
	prevID := ""
	if prev, err := store.Lookup(refs[len(refs)-1]); err == nil {
		prevID = prev.ID
	}
	// A layer can vanish between its commit and AddImage (a concurrent
	// rmi of another image that shared it); fetch it again then.
	err = rootfs.RetryLayerMissing(func() (err error) {
		if err = fetchLayers(ctx, store, img, manifest, cfg, ref.Context(), o.progress()); err == nil {
			out.ID, err = store.AddImage(ctx, raw, refs...)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	out.Fresh = out.ID != prevID
	return out, nil
}

// choosePlatform picks the image for platform (the host's when nil) out of
// an index, or checks a single image.
func choosePlatform(desc *remote.Descriptor, platform *v1.Platform) (v1.Image, error) {
	if !desc.MediaType.IsIndex() {
		return desc.Image()
	}
	want := HostPlatform()
	if platform != nil {
		want = *platform
	}
	idx, err := desc.ImageIndex()
	if err != nil {
		return nil, err
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	var have []string
	for _, m := range im.Manifests {
		if m.Platform == nil || !m.MediaType.IsImage() {
			continue
		}
		if m.Platform.Satisfies(want) {
			return idx.Image(m.Digest)
		}
		have = append(have, m.Platform.String())
	}
	return nil, fmt.Errorf("no image for platform %s: the index has %s; choose one with --platform", want.String(), strings.Join(have, ", "))
}

// readImage returns the config (raw and parsed) and manifest, verifying
// the config's digest and, when a platform was asked for, its platform.
func readImage(img v1.Image, platform *v1.Platform) ([]byte, *rootfs.ImageConfig, *v1.Manifest, error) {
	manifest, err := img.Manifest()
	if err != nil {
		return nil, nil, nil, err
	}
	raw, err := img.RawConfigFile()
	if err != nil {
		return nil, nil, nil, err
	}
	if got, _, _ := v1.SHA256(bytes.NewReader(raw)); got != manifest.Config.Digest {
		return nil, nil, nil, fmt.Errorf("image config is %s, the manifest says %s: %w", got, manifest.Config.Digest, rootfs.ErrCorrupt)
	}
	cfg, err := rootfs.ParseConfig(raw)
	if err != nil {
		return nil, nil, nil, err
	}
	if len(cfg.RootFS.DiffIDs) != len(manifest.Layers) {
		return nil, nil, nil, fmt.Errorf("image config lists %d layers but the manifest has %d", len(cfg.RootFS.DiffIDs), len(manifest.Layers))
	}
	if platform != nil && !(v1.Platform{OS: cfg.OS, Architecture: cfg.Architecture}).Satisfies(v1.Platform{OS: platform.OS, Architecture: platform.Architecture}) {
		return nil, nil, nil, fmt.Errorf("the image is for %s/%s, not %s", cfg.OS, cfg.Architecture, platform.String())
	}
	return raw, cfg, manifest, nil
}

// fetchLayers commits every layer of img, several at a time. The vfs
// driver copies a layer's parent before unpacking it, so there each layer
// waits for its parent; overlay layers are independent.
func fetchLayers(ctx context.Context, store *rootfs.Store, img v1.Image, m *v1.Manifest, cfg *rootfs.ImageConfig, repo name.Repository, prog Progress) error {
	defer prog.Wait()
	chains := (&rootfs.Image{Config: *cfg}).ChainIDs()
	done := make([]chan struct{}, len(chains))
	for i := range done {
		done[i] = make(chan struct{})
	}
	needParent := store.Driver.Format() == rootfs.FormatVFS
	g, gctx := errgroup.WithContext(ctx)
	slots := make(chan struct{}, parallelLayers)
	for i, desc := range m.Layers {
		lb := rootfs.LayerBlob{ChainID: chains[i], DiffID: cfg.RootFS.DiffIDs[i], Digest: desc.Digest.String(), MediaType: string(desc.MediaType), Source: repo.Name(), SourceVerifies: true}
		if i > 0 {
			lb.Parent = chains[i-1]
		}
		bar := prog.Layer(state.ShortID(desc.Digest.Hex), desc.Size)
		g.Go(func() error {
			defer close(done[i])
			if needParent && i > 0 {
				select {
				case <-done[i-1]:
				case <-gctx.Done():
					return gctx.Err()
				}
			}
			slots <- struct{}{}
			defer func() { <-slots }()
			return commitRemoteLayer(gctx, store, img, desc.Digest, lb, bar)
		})
	}
	return g.Wait()
}

func commitRemoteLayer(ctx context.Context, store *rootfs.Store, img v1.Image, digest v1.Hash, lb rootfs.LayerBlob, bar LayerProgress) error {
	fetched, err := store.CommitLayer(ctx, lb, func() (io.ReadCloser, error) {
		l, err := img.LayerByDigest(digest)
		if err != nil {
			return nil, err
		}
		rc, err := l.Compressed()
		if err != nil {
			return nil, err
		}
		return progressReader{ReadCloser: rc, p: bar}, nil
	})
	switch {
	case err != nil:
		bar.Done("", err)
		return fmt.Errorf("layer %s: %w", state.ShortID(digest.Hex), err)
	case fetched:
		bar.Done("Pull complete", nil)
	default:
		bar.Done("Already exists", nil)
	}
	return nil
}
