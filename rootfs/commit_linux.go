package rootfs

import (
	"bufio"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// CommitSpec is what Commit needs: the container, its image, the paths
// left out of the layer, the new config and the name to give it.
type CommitSpec struct {
	Container string   // container ID
	Image     *Image   // the container's image
	Skip      []string // the engine's paths (name files, mount points): not committed
	// Config returns the new image's config given the new layer's diffID,
	// "" when the container changed nothing (an empty layer, not stored).
	Config func(diffID string) ([]byte, error)
	Ref    string // "" leaves the image untagged
}

// Commit stores container spec.Container's changes as a new layer on top
// of its image and adds the image spec.Config makes. The layer tar is
// written into a locked work directory (swept once its creator is dead),
// then committed by CommitLayer like a pulled layer, with the same
// guarantees: a commit killed at any point leaves no half-written layer
// or image.
func (s *Store) Commit(ctx context.Context, spec CommitSpec) (_ string, retErr error) {
	img := spec.Image
	raw, err := s.Driver.Changes(spec.Container, img.ChainIDs(), img.TopChainID())
	if err != nil {
		return "", fmt.Errorf("read the changes: %w", err)
	}
	work, done, err := s.tempWorkDir("commit-")
	if err != nil {
		return "", err
	}
	defer done()
	blob := filepath.Join(work, "blob")
	diffID, err := s.writeDiffBlob(blob, spec.Container, FinishChanges(raw, spec.Skip))
	if err != nil {
		return "", err
	}
	cfg, err := spec.Config(diffID)
	if err != nil {
		return "", err
	}
	var refs []string
	if spec.Ref != "" {
		refs = []string{spec.Ref}
	}
	if diffID == "" {
		return s.AddImage(ctx, cfg, refs...)
	}
	chains := chainIDs(append(append([]string(nil), img.Config.RootFS.DiffIDs...), diffID))
	chain := chains[len(chains)-1]
	defer func() {
		if retErr != nil { // a layer committed for an image that never came
			s.DropUnused(context.Background(), []string{chain})
		}
	}()
	var id string
	err = RetryLayerMissing(func() (err error) {
		lb := LayerBlob{ChainID: chain, Parent: img.TopChainID(), DiffID: diffID, Digest: diffID}
		if _, err = s.CommitLayer(ctx, lb, func() (io.ReadCloser, error) { return os.Open(blob) }); err != nil {
			return fmt.Errorf("store the layer: %w", err)
		}
		id, err = s.AddImage(ctx, cfg, refs...)
		return err
	})
	return id, err
}

// writeDiffBlob writes the changes' layer tar to path and returns its
// digest, which is also its diffID (it is stored uncompressed, as a
// loaded layer is; push gzips it). "" means there was nothing to commit.
func (s *Store) writeDiffBlob(path, id string, changes []Change) (string, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return "", fmt.Errorf("store the layer tar: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	bw := bufio.NewWriterSize(io.MultiWriter(f, h), 256<<10)
	n, err := WriteDiffTar(bw, s.Driver.DiffRoot(id), changes, s.Driver.Format() == FormatOverlay)
	if err != nil {
		return "", fmt.Errorf("write the layer tar: %w", err)
	}
	if n == 0 {
		return "", nil
	}
	if err := bw.Flush(); err != nil {
		return "", fmt.Errorf("store the layer tar: %w", err)
	}
	return hashDigest(h), f.Close()
}
