package registry

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/sync/errgroup"

	"github.com/ctr-lite/ctr-lite/rootfs"
	"github.com/ctr-lite/ctr-lite/state"
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
		return nil, fmt.Errorf("push %q: %w", rootfs.FamiliarRef(ref), describe(err, ref))
	}
	return p, nil
}

func push(ctx context.Context, store *rootfs.Store, img *rootfs.Image, ref name.Reference, o Options) (*Pushed, error) {
	vimg, err := newStoreImage(store, img)
	if err != nil {
		return nil, err
	}
	layers, err := vimg.Layers()
	if err != nil {
		return nil, err
	}
	metas, err := store.Layers(img)
	if err != nil {
		return nil, err
	}
	blobs, err := newBlobClient(ctx, ref.Context(), sources(metas, ref.Context()), o)
	if err != nil {
		return nil, err
	}
	opts := o.remote(ctx, ref.Context().Registry)
	if err := pushLayers(ctx, blobs, layers, opts, o.progress()); err != nil {
		return nil, err
	}
	if err := remote.Write(ref, vimg, opts...); err != nil {
		return nil, err
	}
	d, err := vimg.Digest()
	if err != nil {
		return nil, err
	}
	size, err := vimg.Size()
	return &Pushed{Ref: rootfs.FamiliarRef(ref), Digest: d.String(), Size: size}, err
}

// sources lists, per layer, the repository of the target's registry it
// was pulled from ("" when none): the registry can mount it from there.
func sources(metas []rootfs.LayerMeta, dst name.Repository) []string {
	out := make([]string, len(metas))
	for i, m := range metas {
		src, err := name.NewRepository(m.Source)
		if m.Source != "" && err == nil && src.RegistryStr() == dst.RegistryStr() && src.RepositoryStr() != dst.RepositoryStr() {
			out[i] = src.RepositoryStr()
		}
	}
	return out
}

// pushLayers places the layers several at a time, each with its progress:
// kept when the registry has it, mounted when it can be, else uploaded.
func pushLayers(ctx context.Context, blobs *blobClient, layers []v1.Layer, opts []remote.Option, prog Progress) error {
	defer prog.Wait()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(parallelLayers)
	srcs := blobs.sources
	for i, l := range layers {
		d, err := l.Digest()
		if err != nil {
			return err
		}
		size, err := l.Size()
		if err != nil {
			return err
		}
		bar := prog.Layer(state.ShortID(d.Hex), size)
		g.Go(func() error {
			status, err := blobs.place(gctx, d, srcs[i])
			if err == nil && status == "" {
				status, err = "Pushed", writeLayer(gctx, blobs.repo, l, opts, bar)
			}
			bar.Done(status, err)
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
