package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/ctr-lite/ctr-lite/registry"
	"github.com/ctr-lite/ctr-lite/rootfs"
)

// imageUsers reports, for rmi, whether any container uses an image ID.
func (e *Engine) imageUsers() (func(string) bool, error) {
	list, err := e.Containers.List()
	if err != nil {
		return nil, err
	}
	used := map[string]bool{}
	for _, c := range list {
		used[c.Image] = true
	}
	return func(id string) bool { return used[id] }, nil
}

// RemoveImage is rmi: refused while a container uses the image unless force.
func (e *Engine) RemoveImage(ctx context.Context, ref string, force bool) ([]string, error) {
	inUse, err := e.imageUsers()
	if err != nil {
		return nil, withCode(ExitEngine, err)
	}
	out, err := e.Images.RemoveImage(ctx, ref, force, inUse)
	return out, withCode(ExitEngine, err)
}

// LoadImages is load: it imports every image in an archive or layout.
func (e *Engine) LoadImages(ctx context.Context, path string) ([]string, error) {
	defer e.step("load " + path)()
	names, err := e.Images.Load(ctx, path)
	return names, withCode(ExitEngine, err)
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
	return "", withCode(ExitEngine, fmt.Errorf("invalid --pull %q: want missing, always or never", s))
}

// PullImage fetches ref from its registry into the image store.
func (e *Engine) PullImage(ctx context.Context, ref string, o registry.Options) (*registry.Pulled, error) {
	defer e.step("pull " + ref)()
	p, err := registry.Pull(ctx, e.Images, ref, o)
	return p, withCode(ExitEngine, err)
}

// NeedsPull applies --pull: always; when missing, if the image is not
// stored; never. A missing image with never is left for create to report.
// It only reads the name index, so the usual run pays nothing more.
func (e *Engine) NeedsPull(ref string, policy PullPolicy) (missing, pull bool, err error) {
	_, err = e.Images.Resolve(ref)
	missing = errors.Is(err, rootfs.ErrImageNotFound)
	if err != nil && !missing {
		return false, false, withCode(ExitEngine, err)
	}
	return missing, policy == PullAlways || (missing && policy == PullMissing), nil
}

// PushImage uploads a stored image to the registry its name points at.
func (e *Engine) PushImage(ctx context.Context, ref string, o registry.Options) (*registry.Pushed, error) {
	defer e.step("push " + ref)()
	p, err := registry.Push(ctx, e.Images, ref, o)
	return p, withCode(ExitEngine, err)
}

// TagImage gives the image src the name target.
func (e *Engine) TagImage(ctx context.Context, src, target string) error {
	img, err := e.Images.Lookup(src)
	if err != nil {
		return withCode(ExitEngine, err)
	}
	ref, err := rootfs.ParseRef(target)
	if err != nil {
		return withCode(ExitEngine, err)
	}
	if _, ok := ref.(name.Tag); !ok {
		return withCode(ExitEngine, fmt.Errorf("cannot tag with a digest %q: give REPOSITORY[:TAG]", target))
	}
	return withCode(ExitEngine, e.Images.Tag(ctx, img.ID, rootfs.FamiliarRef(ref)))
}

// SaveImages writes the named images to w as one docker-archive tar.
func (e *Engine) SaveImages(ctx context.Context, w io.Writer, refs []string) error {
	defer e.step("save")()
	return withCode(ExitEngine, e.Images.Save(ctx, w, refs))
}

// PruneImages removes the images no container uses: the untagged ones, or
// with all every one. It returns what it removed and the bytes freed.
func (e *Engine) PruneImages(ctx context.Context, all bool) ([]string, int64, error) {
	e.Images.SweepTmp()
	inUse, err := e.imageUsers()
	if err != nil {
		return nil, 0, withCode(ExitEngine, err)
	}
	images, err := e.Images.Images()
	if err != nil {
		return nil, 0, withCode(ExitEngine, err)
	}
	var out []string
	var freed int64
	for _, img := range images {
		if inUse(img.ID) || (!all && len(img.RepoTags) > 0) {
			continue
		}
		sizes := e.layerSizes(img)
		lines, err := e.Images.RemoveImage(ctx, img.ID, true, inUse)
		if err != nil {
			return out, freed, withCode(ExitEngine, err)
		}
		out = append(out, lines...)
		for _, l := range lines { // layers shared with a kept image stay
			freed += sizes[strings.TrimPrefix(l, "Deleted: ")]
		}
	}
	return out, freed, nil
}

// layerSizes maps img's chain IDs to their unpacked sizes.
func (e *Engine) layerSizes(img *rootfs.Image) map[string]int64 {
	sizes := map[string]int64{}
	for _, chain := range img.ChainIDs() {
		if m, err := e.Images.Layer(chain); err == nil {
			sizes[chain] = m.Size
		}
	}
	return sizes
}
