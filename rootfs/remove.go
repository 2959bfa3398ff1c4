package rootfs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// RemoveImage untags ref and, once the image has no tags left and no
// container uses it, deletes its config and the layers no other image
// shares. inUse reports whether a container uses an image ID. With force,
// an image used by containers is untagged but kept for them.
func (s *Store) RemoveImage(ctx context.Context, ref string, force bool, inUse func(id string) bool) ([]string, error) {
	img, err := s.Lookup(ref)
	if err != nil {
		return nil, err
	}
	used := inUse(img.ID)
	if used && !force {
		return nil, fmt.Errorf("image %q is used by a container: remove the container first, or pass -f to untag it", ref)
	}
	var out []string
	var remaining int
	err = s.updateRepos(ctx, func(r repositories) error {
		byName := NormalizeRef(ref)
		untag := []string{byName}
		if _, named := r[byName]; !named || force {
			untag = tagsOf(r, img.ID) // by ID: all its tags
		}
		for _, t := range untag {
			if r[t] == img.ID {
				delete(r, t)
				out = append(out, "Untagged: "+t)
			}
		}
		remaining = len(tagsOf(r, img.ID))
		return nil
	})
	if err != nil || remaining > 0 || used {
		return out, err
	}
	deleted, err := s.deleteImage(img)
	return append(out, deleted...), err
}

func (s *Store) deleteImage(img *Image) ([]string, error) {
	h, _ := digestHex(img.ID)
	if err := os.Remove(filepath.Join(s.configDir(), h)); err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("delete image %s: %w", img.ID, err)
	}
	out := []string{"Deleted: " + img.ID}
	shared, err := s.chainsInUse()
	if err != nil {
		return out, err
	}
	chains := img.ChainIDs()
	if top := img.TopChainID(); top != "" && !shared[top] {
		th, _ := digestHex(top)
		os.RemoveAll(filepath.Join(s.Driver.Home(), "layers", th+"-init"))
	}
	for i := len(chains) - 1; i >= 0; i-- {
		if shared[chains[i]] {
			continue
		}
		if err := os.RemoveAll(s.layerDir(chains[i])); err != nil {
			return out, fmt.Errorf("delete layer %s: %w", chains[i], err)
		}
		out = append(out, "Deleted: "+chains[i])
	}
	return out, nil
}

// chainsInUse is the set of chain IDs of all remaining images.
func (s *Store) chainsInUse() (map[string]bool, error) {
	images, err := s.Images()
	if err != nil {
		return nil, err
	}
	used := map[string]bool{}
	for _, img := range images {
		for _, c := range img.ChainIDs() {
			used[c] = true
		}
	}
	return used, nil
}
