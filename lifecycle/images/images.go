package images

import (
	"context"
	"errors"
	"fmt"
	"github.com/ctr-lite/ctr-lite/events"
	"io"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/registry"
	"github.com/ctr-lite/ctr-lite/rootfs"
)

// usesImage reports whether any container uses image ID id. rmi and
// prune call it from inside the image store's global lock (RemoveImage
// runs it there), and create makes its record visible under the same
// lock after checking the image (saveWithImage): so a container never
// points at a removed image.
func (e *Engine) usesImage(id string) bool {
	list, err := e.Containers.List()
	if err != nil {
		return true // unsure: keep the image
	}
	for _, c := range list {
		if c.Image == id {
			return true
		}
	}
	return false
}

// RemoveImage is rmi: refused while a container uses the image unless force.
func (e *Engine) RemoveImage(ctx context.Context, ref string, force bool) ([]string, error) {
	out, err := e.Images.RemoveImage(ctx, ref, force, e.usesImage)
	e.emitRemoved(out)
	return out, lifecycle.WithCode(lifecycle.ExitEngine, err)
}

// LoadImages is load: it imports every image in an archive or layout.
func (e *Engine) LoadImages(ctx context.Context, path string) ([]rootfs.Loaded, error) {
	defer e.Step("load " + path)()
	names, err := e.Images.Load(ctx, path)
	for _, n := range names {
		e.Emit(events.Image(n.ID, n.Ref, "load"))
	}
	return names, lifecycle.WithCode(lifecycle.ExitEngine, err)
}

// PullPolicy is run's and create's --pull.
type PullPolicy string

// The pull policies, as docker's --pull.
const (
	PullMissing PullPolicy = "missing"
	PullAlways  PullPolicy = "always"
	PullNever   PullPolicy = "never"
)

// ParsePullPolicy checks a --pull value.
func ParsePullPolicy(s string) (PullPolicy, error) {
	switch p := PullPolicy(s); p {
	case PullMissing, PullAlways, PullNever:
		return p, nil
	}
	return "", lifecycle.WithCode(lifecycle.ExitEngine, fmt.Errorf("invalid --pull %q: want missing, always or never", s))
}

// PullImage fetches ref from its registry into the image store.
func (e *Engine) PullImage(ctx context.Context, ref string, o registry.Options) (*registry.Pulled, error) {
	defer e.Step("pull " + ref)()
	p, err := registry.Pull(ctx, e.Images, ref, o)
	if err == nil {
		e.Emit(events.Image(p.ID, p.Ref, "pull"))
	}
	return p, lifecycle.WithCode(lifecycle.ExitEngine, err)
}

// NeedsPull applies --pull: always; when missing, if the image is not
// stored; never. A missing image with never is left for create to report.
// It only reads the name index, so the usual run pays nothing more.
func (e *Engine) NeedsPull(ref string, policy PullPolicy) (missing, pull bool, err error) {
	_, err = e.Images.Resolve(ref)
	missing = errors.Is(err, rootfs.ErrImageNotFound)
	if err != nil && !missing {
		return false, false, lifecycle.WithCode(lifecycle.ExitEngine, err)
	}
	return missing, policy == PullAlways || (missing && policy == PullMissing), nil
}

// PushImage uploads a stored image to the registry its name points at.
func (e *Engine) PushImage(ctx context.Context, ref string, o registry.Options) (*registry.Pushed, error) {
	defer e.Step("push " + ref)()
	p, err := registry.Push(ctx, e.Images, ref, o)
	if err == nil {
		e.Emit(events.Image(ref, ref, "push"))
	}
	return p, lifecycle.WithCode(lifecycle.ExitEngine, err)
}

// TagImage gives the image src the name target.
func (e *Engine) TagImage(ctx context.Context, src, target string) error {
	img, err := e.Images.Lookup(src)
	if err != nil {
		return lifecycle.WithCode(lifecycle.ExitEngine, err)
	}
	ref, err := rootfs.ParseRef(target)
	if err != nil {
		return lifecycle.WithCode(lifecycle.ExitEngine, err)
	}
	if _, ok := ref.(name.Tag); !ok {
		return lifecycle.WithCode(lifecycle.ExitEngine, fmt.Errorf("cannot tag with a digest %q: give REPOSITORY[:TAG]", target))
	}
	if err := e.Images.Tag(ctx, img.ID, rootfs.FamiliarRef(ref)); err != nil {
		return lifecycle.WithCode(lifecycle.ExitEngine, err)
	}
	e.Emit(events.Image(img.ID, rootfs.FamiliarRef(ref), "tag"))
	return nil
}

// emitRemoved logs untag and delete events for RemoveImage's lines.
func (e *Engine) emitRemoved(lines []string) {
	for _, l := range lines {
		if r, ok := strings.CutPrefix(l, "Untagged: "); ok {
			e.Emit(events.Image(r, r, "untag"))
		} else if id, ok := strings.CutPrefix(l, "Deleted: "); ok {
			e.Emit(events.Image(id, id, "delete"))
		}
	}
}

// SaveImages writes the named images to w as one docker-archive tar.
func (e *Engine) SaveImages(ctx context.Context, w io.Writer, refs []string) error {
	defer e.Step("save")()
	if err := e.Images.Save(ctx, w, refs); err != nil {
		return lifecycle.WithCode(lifecycle.ExitEngine, err)
	}
	for _, r := range refs {
		e.Emit(events.Image(r, r, "save"))
	}
	return nil
}

// PruneImages removes the images no container uses: the untagged ones, or
// with all every one, but those keep (if set) holds on to. It returns
// what it removed and the bytes freed.
//
// While the repositories index is damaged every image looks untagged, so
// the untagged-only prune refuses rather than remove every image.
func (e *Engine) PruneImages(ctx context.Context, all bool, keep func(*rootfs.Image) bool) ([]string, int64, error) {
	if !all {
		if err := e.Images.CheckIndex(); errors.Is(err, rootfs.ErrIndexDamaged) {
			return nil, 0, lifecycle.WithCode(lifecycle.ExitEngine, fmt.Errorf("image prune: %w: tag the images to keep (ctr-lite tag ID NAME) and prune again, or remove every unused image with image prune -a", err))
		} else if err != nil {
			return nil, 0, lifecycle.WithCode(lifecycle.ExitEngine, err)
		}
	}
	e.Images.SweepTmp()
	images, err := e.Images.Images()
	if err != nil {
		return nil, 0, lifecycle.WithCode(lifecycle.ExitEngine, err)
	}
	var out []string
	var freed int64
	for _, img := range images {
		if (!all && len(img.RepoTags) > 0) || (keep != nil && keep(img)) {
			continue
		}
		// Without force, an image a container started using meanwhile is
		// refused (and kept, tags and all), which prune skips.
		used := false
		inUse := func(id string) bool { used = e.usesImage(id); return used }
		sizes := e.LayerSizes(img)
		lines, err := e.Images.RemoveImage(ctx, img.ID, false, inUse)
		if errors.Is(err, rootfs.ErrImageNotFound) {
			continue // another prune took it
		}
		e.emitRemoved(lines)
		if used {
			continue
		}
		if err != nil {
			return out, freed, lifecycle.WithCode(lifecycle.ExitEngine, err)
		}
		out = append(out, lines...)
		for _, l := range lines { // layers shared with a kept image stay
			freed += sizes[strings.TrimPrefix(l, "Deleted: ")]
		}
	}
	return out, freed, nil
}

// LayerSizes maps img's chain IDs to their unpacked sizes.
func (e *Engine) LayerSizes(img *rootfs.Image) map[string]int64 {
	sizes := map[string]int64{}
	for _, chain := range img.ChainIDs() {
		if m, err := e.Images.Layer(chain); err == nil {
			sizes[chain] = m.Size
		}
	}
	return sizes
}
