package rootfs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ctr-lite/ctr-lite/state"
)

// RemoveImage untags ref and, once the image has no tags left and no
// container uses it, deletes its config and the layers no other image
// shares. inUse reports whether a container uses an image ID. With force,
// an image used by containers is untagged but kept for them. It all runs
// under the global lock, so a pull that is saving an image sharing a layer
// either sees the layer gone (and fetches it again) or keeps it.
func (s *Store) RemoveImage(ctx context.Context, ref string, force bool, inUse func(id string) bool) ([]string, error) {
	l, err := s.globalLock(ctx)
	if err != nil {
		return nil, err
	}
	defer l.Unlock()
	img, err := s.Lookup(ref)
	if err != nil {
		return nil, err
	}
	used := inUse(img.ID)
	if used && !force {
		return nil, fmt.Errorf("image %q is used by a container: remove the container first, or pass -f to untag it", ref)
	}
	repos, _, err := s.readRepos()
	if err != nil {
		return nil, err
	}
	out := untag(repos, img.ID, NormalizeRef(ref), force)
	if err := s.writeRepos(repos); err != nil || len(refsOf(repos, img.ID)) > 0 || used {
		return out, err
	}
	deleted, err := s.deleteImage(l, img)
	return append(out, deleted...), err
}

// untag removes ref from repos, or every reference to id when ref is not
// one of them (removal by ID) or with force. Once no tag is left, the
// image's digest references go too, as docker does.
func untag(repos repositories, id, ref string, force bool) []string {
	refs := []string{ref}
	if _, named := repos[ref]; !named || force {
		refs = refsOf(repos, id)
	}
	var out []string
	for _, r := range refs {
		if repos[r] == id {
			delete(repos, r)
			out = append(out, "Untagged: "+r)
		}
	}
	for _, r := range refsOf(repos, id) {
		if strings.Contains(r, "@") && !hasTag(repos, id) {
			delete(repos, r)
			out = append(out, "Untagged: "+r)
		}
	}
	return out
}

func hasTag(repos repositories, id string) bool {
	for _, r := range refsOf(repos, id) {
		if !strings.Contains(r, "@") {
			return true
		}
	}
	return false
}

// deleteImage removes img's config and unshared layers, under the global
// lock (g).
func (s *Store) deleteImage(g *state.Global, img *Image) ([]string, error) {
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
		if err := s.deleteLayer(chains[i]); err != nil {
			return out, err
		}
		out = append(out, "Deleted: "+chains[i])
	}
	return out, nil
}

// deleteLayer renames the layer out of sight first, so that no reader ever
// sees a half-deleted layer as present.
func (s *Store) deleteLayer(chain string) error {
	gone, release, err := s.newWorkDir("delete-")
	if err != nil {
		return err
	}
	defer release()
	target := filepath.Join(gone, "layer")
	if err := os.Rename(s.layerDir(chain), target); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("delete layer %s: %w", chain, err)
	}
	return os.RemoveAll(gone)
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

// DropUnused deletes those of chains that no image uses: the undo of a
// pull or load that failed after committing some of its layers. A
// concurrent pull that needed one of them fetches it again (AddImage).
func (s *Store) DropUnused(ctx context.Context, chains []string) error {
	l, err := s.globalLock(ctx)
	if err != nil {
		return err
	}
	defer l.Unlock()
	used, err := s.chainsInUse()
	if err != nil {
		return err
	}
	for i := len(chains) - 1; i >= 0; i-- {
		if !used[chains[i]] && s.HasLayer(chains[i]) {
			if err := s.deleteLayer(chains[i]); err != nil {
				return err
			}
		}
	}
	return nil
}
