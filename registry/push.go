package registry

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/sync/errgroup"

	"github.com/ctr-lite/ctr-lite/rootfs"
)

// Pushed is the outcome of a push.
type Pushed struct {
	Ref    string
	Digest string // manifest digest
	Size   int64  // manifest size
}

// Push uploads the stored image named s to the registry s names. Layers
// the registry already has are not uploaded again, and a layer pulled from
// another repository of the same registry is mounted from there.
func Push(ctx context.Context, store *rootfs.Store, s string, o Options) (*Pushed, error) {
	ref, err := o.parse(s)
	if err != nil {
		return nil, err
	}
	img, err := store.Lookup(s)
	if err != nil {
		return nil, fmt.Errorf("push %q: %w", s, err)
	}
	p, err := push(ctx, store, img, ref, o)
	if err != nil {
		return nil, fmt.Errorf("push %q: %w", FamiliarRef(ref), describe(err, ref))
	}
	return p, nil
}

func push(ctx context.Context, store *rootfs.Store, img *rootfs.Image, ref name.Reference, o Options) (*Pushed, error) {
	vimg, err := newStoreImage(store, img)
	if err != nil {
		return nil, err
	}
	layers, err := mountableLayers(vimg, store, img, ref.Context(), o)
	if err != nil {
		return nil, err
	}
	opts := o.remote(ctx, ref.Context().Registry)
	if err := pushLayers(ctx, ref.Context(), layers, opts, o.progress()); err != nil {
		return nil, err
	}
	if err := remote.Write(ref, pushImage{Image: vimg, layers: layers}, opts...); err != nil {
		return nil, err
	}
	d, err := vimg.Digest()
	if err != nil {
		return nil, err
	}
	size, err := vimg.Size()
	return &Pushed{Ref: FamiliarRef(ref), Digest: d.String(), Size: size}, err
}

// pushImage hands remote.Write the layers with their mount sources.
type pushImage struct {
	v1.Image
	layers []v1.Layer
}

func (p pushImage) Layers() ([]v1.Layer, error) { return p.layers, nil }

// mountableLayers wraps each layer pulled from another repository of the
// target registry so that the registry can mount it instead of receiving
// it again.
func mountableLayers(vimg v1.Image, store *rootfs.Store, img *rootfs.Image, repo name.Repository, o Options) ([]v1.Layer, error) {
	layers, err := vimg.Layers()
	if err != nil {
		return nil, err
	}
	metas, err := store.Layers(img)
	if err != nil {
		return nil, err
	}
	for i, m := range metas {
		src, err := name.NewRepository(m.Source)
		if m.Source == "" || err != nil || src.RegistryStr() != repo.RegistryStr() || src.Name() == repo.Name() {
			continue
		}
		if o.insecureFor(src.RegistryStr()) {
			src, _ = name.NewRepository(m.Source, name.Insecure)
		}
		layers[i] = &remote.MountableLayer{Layer: layers[i], Reference: src.Tag("latest")}
	}
	return layers, nil
}

// pushLayers uploads the layers several at a time, each with its progress.
func pushLayers(ctx context.Context, repo name.Repository, layers []v1.Layer, opts []remote.Option, prog Progress) error {
	defer prog.Wait()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(parallelLayers)
	for _, l := range layers {
		d, err := l.Digest()
		if err != nil {
			return err
		}
		size, err := l.Size()
		if err != nil {
			return err
		}
		bar := prog.Layer(shortHex(d.Hex), size)
		g.Go(func() error {
			err := writeLayer(gctx, repo, l, opts, bar)
			bar.Done("Pushed", err)
			return err
		})
	}
	return g.Wait()
}

func writeLayer(ctx context.Context, repo name.Repository, l v1.Layer, opts []remote.Option, bar LayerProgress) error {
	updates := make(chan v1.Update, 16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		var seen int64
		for u := range updates {
			if u.Error != nil {
				continue
			}
			bar.Add(int(u.Complete - seen))
			seen = u.Complete
		}
	}()
	err := remote.WriteLayer(repo, l, append(opts, remote.WithContext(ctx), remote.WithProgress(updates))...)
	<-done
	return err
}
