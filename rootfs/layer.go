package rootfs

import (
	"bufio"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/ctr-lite/ctr-lite/state"
)

// LayerMeta is kept beside each unpacked layer (layer.json). The blob is
// the layer exactly as it arrived, kept for save and push.
type LayerMeta struct {
	ChainID   string
	DiffID    string
	Parent    string
	Size      int64  // unpacked bytes
	TarSize   int64  // bytes of the uncompressed tar (its digest is DiffID)
	Digest    string // of the blob
	BlobSize  int64
	MediaType string
	Source    string `json:",omitempty"` // repository pulled from, for cross-repo mounts
}

// LayerBlob says what an incoming layer must be: the chain it completes and
// the digests its blob and its uncompressed tar must have.
type LayerBlob struct {
	ChainID, Parent, DiffID string
	Digest                  string // "" when the source does not name it
	MediaType               string // "" to infer from the compression
	Source                  string
	// SourceVerifies says the reader open returns fails at its end when
	// the blob does not match Digest (go-containerregistry's registry
	// layers do), so hashing it again would only cost time.
	SourceVerifies bool
}

// ErrCorrupt marks content that does not match its digest.
var ErrCorrupt = errors.New("the data is corrupt")

// HasLayer reports whether the layer with this chain ID is unpacked.
func (s *Store) HasLayer(chainID string) bool {
	_, err := os.Stat(filepath.Join(s.layerDir(chainID), "layer.json"))
	return err == nil
}

// Layer returns a committed layer's metadata.
func (s *Store) Layer(chainID string) (LayerMeta, error) {
	var m LayerMeta
	err := state.ReadJSON(filepath.Join(s.layerDir(chainID), "layer.json"), &m)
	return m, err
}

// LayerDiffDir is the directory holding a layer's files.
func (s *Store) LayerDiffDir(chainID string) string {
	return filepath.Join(s.layerDir(chainID), "diff")
}

// LayerBlobPath is the stored blob of a layer.
func (s *Store) LayerBlobPath(chainID string) string {
	return filepath.Join(s.layerDir(chainID), "blob")
}

// CommitLayer makes layer l present. Unless it already is, it calls open
// for the blob, unpacks it as a stream into a locked work directory, checks
// the blob's digest and the diffID of the uncompressed tar, and only then
// renames the layer into place. Concurrent commits of one layer wait for
// each other, so it is fetched once; a commit killed halfway leaves a work
// directory that the next sweep removes. It reports whether it fetched.
func (s *Store) CommitLayer(ctx context.Context, l LayerBlob, open func() (io.ReadCloser, error)) (fetched bool, retErr error) {
	h, err := digestHex(l.ChainID)
	if err != nil {
		return false, err
	}
	lock, err := state.AcquireLock(ctx, filepath.Join(s.Driver.Home(), "locks", h))
	if err != nil {
		return false, err
	}
	defer lock.Unlock()
	if s.HasLayer(l.ChainID) {
		return false, nil
	}
	work, release, err := s.newWorkDir("layer-")
	if err != nil {
		return false, err
	}
	defer release()
	defer func() {
		if retErr != nil {
			os.RemoveAll(work)
		}
	}()
	meta, err := s.unpackBlob(work, l, open)
	if err != nil {
		return false, err
	}
	if err := state.WriteJSONAtomic(filepath.Join(work, "layer.json"), meta, false); err != nil {
		return false, err
	}
	return true, s.publish(work, s.layerDir(l.ChainID))
}

// unpackBlob writes the blob to work/blob and its files to work/diff in
// one pass, and verifies both digests.
func (s *Store) unpackBlob(work string, l LayerBlob, open func() (io.ReadCloser, error)) (LayerMeta, error) {
	meta := LayerMeta{ChainID: l.ChainID, DiffID: l.DiffID, Parent: l.Parent, MediaType: l.MediaType, Source: l.Source}
	diff := filepath.Join(work, "diff")
	if err := s.Driver.PrepareLayer(diff, s.parentDiff(l.Parent)); err != nil {
		if l.Parent != "" && !s.HasLayer(l.Parent) { // deleted by a concurrent rmi
			return meta, fmt.Errorf("%w: parent %s", ErrLayerMissing, l.Parent)
		}
		return meta, err
	}
	rc, err := open()
	if err != nil {
		return meta, err
	}
	defer rc.Close()
	sink, err := newBlobSink(filepath.Join(work, "blob"), !l.SourceVerifies || l.Digest == "")
	if err != nil {
		return meta, err
	}
	defer sink.f.Close()
	counted := &countingReader{r: io.TeeReader(rc, sink)}
	comp, err := s.unpackVerified(counted, diff, &meta)
	if err != nil {
		return meta, err
	}
	if _, err := io.Copy(io.Discard, counted); err != nil { // the rest of the blob
		return meta, fmt.Errorf("read layer blob: %w", err)
	}
	meta.BlobSize, meta.Digest = counted.n.Load(), sink.digest(l.Digest)
	if l.Digest != "" && meta.Digest != l.Digest {
		return meta, fmt.Errorf("blob is %s, want %s: %w", meta.Digest, l.Digest, ErrCorrupt)
	}
	if meta.MediaType == "" {
		meta.MediaType = dockerLayerTypes[comp]
	}
	return meta, sink.close()
}

func (s *Store) parentDiff(parent string) string {
	if parent == "" {
		return ""
	}
	return s.LayerDiffDir(parent)
}

// blobSink stores a layer blob as it streams past, hashing it unless the
// source verifies it itself.
type blobSink struct {
	f *os.File
	w *bufio.Writer
	h hash.Hash // nil: not hashed here
}

func newBlobSink(path string, hashIt bool) (*blobSink, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store layer blob: %w", err)
	}
	b := &blobSink{f: f, w: bufio.NewWriterSize(f, 256<<10)}
	if hashIt {
		b.h = sha256.New()
	}
	return b, nil
}

func (b *blobSink) Write(p []byte) (int, error) {
	if b.h != nil {
		b.h.Write(p)
	}
	return b.w.Write(p)
}

// digest is the blob's digest: computed, or claimed when not hashed here.
func (b *blobSink) digest(claimed string) string {
	if b.h == nil {
		return claimed
	}
	return hashDigest(b.h)
}

func (b *blobSink) close() error {
	if err := b.w.Flush(); err != nil {
		return fmt.Errorf("store layer blob: %w", err)
	}
	return b.f.Close()
}

// unpackVerified decompresses r into diff, checks the tar's digest and
// records its sizes in meta.
func (s *Store) unpackVerified(r *countingReader, diff string, meta *LayerMeta) (Compression, error) {
	zr, comp, err := Decompress(r)
	if err != nil {
		return comp, err
	}
	defer zr.Close()
	h := sha256.New()
	var src io.Reader = zr
	if comp != Uncompressed {
		src = &bombGuard{r: zr, compressed: r, ratio: s.bombRatio(), floor: s.bombFloor()}
	}
	tr := &countingReader{r: io.TeeReader(src, h)}
	meta.Size, err = ApplyLayer(tr, diff, s.Driver.Format())
	if err != nil {
		return comp, err
	}
	if _, err := io.Copy(io.Discard, tr); err != nil { // tar padding after the end marker
		return comp, fmt.Errorf("read layer: %w", err)
	}
	meta.TarSize = tr.n.Load()
	if got := hashDigest(h); got != meta.DiffID {
		return comp, fmt.Errorf("layer content is %s but the image config says %s: %w", got, meta.DiffID, ErrCorrupt)
	}
	return comp, nil
}

func hashDigest(h hash.Hash) string { return "sha256:" + hex.EncodeToString(h.Sum(nil)) }

// ErrBomb is returned for a layer that decompresses out of all proportion.
var ErrBomb = errors.New("the layer decompresses out of all proportion (a decompression bomb?)")

// Defaults of Store.BombRatio and Store.BombFloor: a layer may expand
// without limit up to the floor, and beyond it up to ratio times its
// compressed size. gzip's best is about 1000:1 on zeros; real layers rarely
// pass 20:1.
const (
	defaultBombRatio = 500
	defaultBombFloor = 1 << 30
)

func (s *Store) bombRatio() int64 { return cmp.Or(s.BombRatio, defaultBombRatio) }
func (s *Store) bombFloor() int64 { return cmp.Or(s.BombFloor, defaultBombFloor) }

// bombGuard fails the read once the uncompressed bytes pass the floor and
// ratio times the compressed bytes read so far.
type bombGuard struct {
	r            io.Reader
	compressed   *countingReader
	ratio, floor int64
	n            int64
}

func (b *bombGuard) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.n += int64(n)
	if c := b.compressed.n.Load(); b.n > b.floor && b.n > b.ratio*c {
		return n, fmt.Errorf("%w: %d bytes from %d", ErrBomb, b.n, c)
	}
	return n, err
}

// countingReader counts what is read through it; atomically, since the
// xz command's feeder reads it while the bomb guard looks at the count.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// publish renames a finished work directory into place; if another
// process published the same content first, ours is dropped.
func (s *Store) publish(tmp, final string) error {
	if err := os.Rename(tmp, final); err != nil {
		if _, serr := os.Stat(final); serr == nil {
			return os.RemoveAll(tmp)
		}
		return fmt.Errorf("commit %q: %w", final, err)
	}
	return nil
}
