package rootfs

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"
)

// Import stores the tar r (plain, gzip, zstd, bzip2 or xz, as docker
// import takes) as a one-layer image with
// the container defaults cfg, tagged ref when it is not "". The tar is
// kept in a locked work directory first (its digests must be known before
// the layer store takes it), then committed by CommitLayer like any pulled
// or loaded layer, with the same extraction guarantees.
func (s *Store) Import(ctx context.Context, r io.Reader, cfg ContainerDefaults, comment, ref string) (_ string, retErr error) {
	work, done, err := s.tempWorkDir("import-")
	if err != nil {
		return "", err
	}
	defer done()
	blob := filepath.Join(work, "blob")
	r, release, err := s.importStream(r)
	if err != nil {
		return "", err
	}
	defer release()
	digest, diffID, err := s.spoolTar(r, blob)
	if err != nil {
		return "", err
	}
	now := time.Now().UTC()
	// the config docker import writes: the defaults the --change
	// instructions set, one layer, and the message as comment
	ic := ImageConfig{Architecture: runtime.GOARCH, OS: "linux", Created: now, Config: cfg,
		Comment: comment, History: []History{{Created: &now, Comment: comment}}}
	ic.RootFS.Type = "layers"
	ic.RootFS.DiffIDs = []string{diffID}
	raw, err := json.Marshal(ic)
	if err != nil {
		return "", err
	}
	var refs []string
	if ref != "" {
		refs = []string{ref}
	}
	chain := diffID // the chain ID of a bottom layer is its diffID
	defer func() {
		if retErr != nil { // a layer committed for an image that never came
			s.DropUnused(context.Background(), []string{chain})
		}
	}()
	var id string
	err = RetryLayerMissing(func() (err error) {
		lb := LayerBlob{ChainID: chain, DiffID: diffID, Digest: digest}
		if _, err = s.CommitLayer(ctx, lb, func() (io.ReadCloser, error) { return os.Open(blob) }); err != nil {
			return fmt.Errorf("import layer: %w", err)
		}
		id, err = s.AddImage(ctx, raw, refs...)
		return err
	})
	return id, err
}

// spoolTar copies r to path and returns the digest of the bytes as they
// came and of the uncompressed tar (its diffID), read back through the
// same decompression bomb guard that unpacking uses.
func (s *Store) spoolTar(r io.Reader, path string) (digest, diffID string, err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o600)
	if err != nil {
		return "", "", fmt.Errorf("store the imported tar: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(f, h), r); err != nil {
		return "", "", fmt.Errorf("read the tar to import: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", "", err
	}
	counted := &countingReader{r: f}
	zr, comp, err := Decompress(counted)
	if err != nil {
		return "", "", err
	}
	defer zr.Close()
	var src io.Reader = zr
	if comp != Uncompressed {
		src = &bombGuard{r: zr, compressed: counted, ratio: s.bombRatio(), floor: s.bombFloor()}
	}
	th := sha256.New()
	if _, err := io.Copy(th, src); err != nil {
		return "", "", fmt.Errorf("read the tar to import: %w", err)
	}
	return hashDigest(h), hashDigest(th), nil
}

var (
	bzip2Magic = []byte("BZh")
	xzMagic    = []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}
)

// importStream reads a bzip2 or xz tar as the plain tar it holds, under
// the decompression bomb guard: layers are stored plain, gzip or zstd
// only (what a registry or an OCI layout holds), so these two are
// undone here, before the tar is spooled. The returned func releases
// what reading took (the xz process).
func (s *Store) importStream(r io.Reader) (io.Reader, func(), error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(len(xzMagic))
	counted := &countingReader{r: br}
	var zr io.Reader
	release := func() {}
	switch {
	case bytes.HasPrefix(head, xzMagic):
		x, err := startXZ(counted)
		if err != nil {
			return nil, nil, fmt.Errorf("open xz tar: %w", err)
		}
		zr, release = x, x.close
	case bytes.HasPrefix(head, bzip2Magic):
		zr = bzip2.NewReader(counted)
	default:
		return br, release, nil
	}
	return &bombGuard{r: zr, compressed: counted, ratio: s.bombRatio(), floor: s.bombFloor()}, release, nil
}
