package rootfs

import (
	"archive/tar"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
)

// archiveEntry is one image in a docker-archive manifest.json.
type archiveEntry struct {
	Config   string
	RepoTags []string
	Layers   []string
}

// Save writes the images refs name to w as one docker-archive tar, the
// format docker save writes (docker 25+ paths): config and uncompressed
// layers under blobs/sha256/, shared layers once. A ref by tag carries
// that tag; a ref by ID carries none.
func (s *Store) Save(ctx context.Context, w io.Writer, refs []string) error {
	tw := tar.NewWriter(w)
	written := map[string]bool{}
	var manifest []archiveEntry
	for _, ref := range refs {
		if err := ctx.Err(); err != nil {
			return err
		}
		entry, err := s.saveImage(tw, ref, written)
		if err != nil {
			return fmt.Errorf("save %q: %w", ref, err)
		}
		manifest = append(manifest, entry)
	}
	raw, err := json.Marshal(manifest)
	if err != nil {
		return err
	}
	if err := writeTarFile(tw, "manifest.json", int64(len(raw)), strings.NewReader(string(raw))); err != nil {
		return err
	}
	return tw.Close()
}

func (s *Store) saveImage(tw *tar.Writer, ref string, written map[string]bool) (archiveEntry, error) {
	img, err := s.Lookup(ref)
	if err != nil {
		return archiveEntry{}, err
	}
	raw, err := s.RawConfig(img.ID)
	if err != nil {
		return archiveEntry{}, err
	}
	metas, err := s.Layers(img)
	if err != nil {
		return archiveEntry{}, err
	}
	entry := archiveEntry{Config: blobPath(img.ID)}
	if norm := NormalizeRef(ref); slices.Contains(img.RepoTags, norm) {
		entry.RepoTags = []string{norm}
	}
	if err := writeOnce(tw, written, entry.Config, int64(len(raw)), func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(string(raw))), nil
	}); err != nil {
		return entry, err
	}
	for i, m := range metas {
		p := blobPath(m.DiffID)
		entry.Layers = append(entry.Layers, p)
		blob := s.LayerBlobPath(img.ChainIDs()[i])
		if err := writeOnce(tw, written, p, m.TarSize, func() (io.ReadCloser, error) { return openUncompressed(blob) }); err != nil {
			return entry, err
		}
	}
	return entry, nil
}

func writeOnce(tw *tar.Writer, written map[string]bool, name string, size int64, open func() (io.ReadCloser, error)) error {
	if written[name] {
		return nil
	}
	r, err := open()
	if err != nil {
		return err
	}
	defer r.Close()
	written[name] = true
	return writeTarFile(tw, name, size, r)
}

func writeTarFile(tw *tar.Writer, name string, size int64, r io.Reader) error {
	hdr := &tar.Header{Name: name, Mode: 0o644, Size: size, ModTime: time.Unix(0, 0), Typeflag: tar.TypeReg, Format: tar.FormatPAX}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if _, err := io.Copy(tw, r); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// openUncompressed opens a stored blob as its uncompressed tar.
func openUncompressed(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	zr, _, err := Decompress(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{zr, closeBoth{zr, f}}, nil
}

type closeBoth [2]io.Closer

func (c closeBoth) Close() error {
	c[0].Close()
	return c[1].Close()
}
