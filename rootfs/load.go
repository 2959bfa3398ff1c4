package rootfs

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"

	"github.com/ctr-lite/ctr-lite/state"
)

// loadable is one image found in an archive or layout, ready to import.
type loadable struct {
	configPath   string
	configDigest string // "" when the format does not name it
	layers       []blobRef
	tags         []string
}

type blobRef struct {
	path      string
	digest    string // compressed digest, "" when unknown (old docker-archive)
	mediaType string // "" when unknown
}

// Load imports every image in path (a docker-archive tar, an OCI archive
// tar, or an OCI layout directory) and returns the names it tagged, or the
// IDs of untagged images.
func (s *Store) Load(ctx context.Context, path string) ([]string, error) {
	s.SweepTmp()
	dir, cleanup, err := s.openArchive(path)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	images, err := findImages(dir, path)
	if err != nil {
		return nil, err
	}
	var loaded []string
	for _, li := range images {
		names, err := s.importImage(ctx, dir, li)
		if err != nil {
			return loaded, err
		}
		loaded = append(loaded, names...)
	}
	return loaded, nil
}

// openArchive returns a directory view of path: the directory itself, or
// a temporary extraction of a tar.
func (s *Store) openArchive(path string) (string, func(), error) {
	path, err := filepath.Abs(path) // scoped lookups need a clean root
	if err != nil {
		return "", nil, fmt.Errorf("open image archive: %w", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return "", nil, fmt.Errorf("open image archive: %w", err)
	}
	if fi.IsDir() {
		return path, func() {}, nil
	}
	tmp, cleanup, err := s.tempWorkDir("load-") // locked: SweepTmp keeps it
	if err != nil {
		return "", nil, fmt.Errorf("open image archive: %w", err)
	}
	if err := extractArchive(path, tmp); err != nil {
		cleanup()
		return "", nil, err
	}
	return tmp, cleanup, nil
}

// extractArchive unpacks the outer archive (not a layer): files, dirs and
// symlinks only, each resolved inside dst.
func extractArchive(path, dst string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open image archive: %w", err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read image archive %q: %w (is it a docker save or OCI archive tar?)", path, err)
		}
		if err := extractArchiveEntry(dst, hdr, tr); err != nil {
			return fmt.Errorf("read image archive %q: %w", path, err)
		}
	}
}

func extractArchiveEntry(dst string, hdr *tar.Header, r io.Reader) error {
	rel, err := cleanName(hdr.Name)
	if err != nil || rel == "" {
		return err
	}
	p, err := securejoin.SecureJoin(dst, rel)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	switch hdr.Typeflag {
	case tar.TypeDir:
		return os.MkdirAll(p, 0o700)
	case tar.TypeSymlink:
		return os.Symlink(hdr.Linkname, p)
	case tar.TypeReg, tar.TypeRegA:
		out, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		_, err = io.Copy(out, r)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		return err
	}
	return nil // other entry types carry nothing an image needs
}

// findImages recognises the format of dir and lists its images.
func findImages(dir, origin string) ([]loadable, error) {
	if _, err := os.Stat(filepath.Join(dir, "manifest.json")); err == nil {
		return dockerArchiveImages(dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "index.json")); err == nil {
		return ociImages(dir, origin)
	}
	return nil, fmt.Errorf("%q is not an image archive: no manifest.json (docker save) or index.json (OCI)", origin)
}

func dockerArchiveImages(dir string) ([]loadable, error) {
	var manifest []struct {
		Config   string
		RepoTags []string
		Layers   []string
	}
	if err := readJSONIn(dir, "manifest.json", &manifest); err != nil {
		return nil, err
	}
	out := make([]loadable, 0, len(manifest))
	for _, m := range manifest {
		li := loadable{configPath: m.Config, configDigest: blobPathDigest(m.Config), tags: m.RepoTags}
		for _, l := range m.Layers {
			li.layers = append(li.layers, blobRef{path: l, digest: blobPathDigest(l)})
		}
		out = append(out, li)
	}
	return out, nil
}

// blobPathDigest reads the digest from a "blobs/sha256/<hex>" path (docker
// 25+ archives), "" for older names.
func blobPathDigest(p string) string {
	if h, ok := strings.CutPrefix(p, "blobs/sha256/"); ok {
		return "sha256:" + h
	}
	return ""
}

type ociDescriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Annotations map[string]string `json:"annotations"`
	Platform    *struct {
		OS           string `json:"os"`
		Architecture string `json:"architecture"`
	} `json:"platform"`
}

type ociIndex struct {
	Manifests []ociDescriptor `json:"manifests"`
	Config    ociDescriptor   `json:"config"`
	Layers    []ociDescriptor `json:"layers"`
}

func ociImages(dir, origin string) ([]loadable, error) {
	var index ociIndex
	if err := readJSONIn(dir, "index.json", &index); err != nil {
		return nil, err
	}
	var out []loadable
	for _, desc := range index.Manifests {
		li, err := ociManifest(dir, desc)
		if err != nil {
			return nil, err
		}
		if ref := desc.Annotations["org.opencontainers.image.ref.name"]; ref != "" {
			li.tags = []string{ociRefName(ref, origin)}
		}
		out = append(out, li)
	}
	return out, nil
}

// ociRefName turns a ref.name annotation into a name: a full reference is
// kept; a bare tag is put on a repository named after the archive file.
func ociRefName(ref, origin string) string {
	if strings.ContainsAny(ref, "/:") {
		return ref
	}
	base := strings.TrimSuffix(filepath.Base(filepath.Clean(origin)), ".tar")
	return strings.ToLower(base) + ":" + ref
}

func ociManifest(dir string, desc ociDescriptor) (loadable, error) {
	var m ociIndex
	if err := readBlob(dir, desc.Digest, &m); err != nil {
		return loadable{}, err
	}
	if len(m.Manifests) > 0 { // an index: choose this host's platform
		child, err := pickPlatform(m.Manifests)
		if err != nil {
			return loadable{}, err
		}
		return ociManifest(dir, child)
	}
	li := loadable{configPath: blobPath(m.Config.Digest), configDigest: m.Config.Digest}
	for _, l := range m.Layers {
		li.layers = append(li.layers, blobRef{path: blobPath(l.Digest), digest: l.Digest, mediaType: l.MediaType})
	}
	return li, nil
}

func pickPlatform(descs []ociDescriptor) (ociDescriptor, error) {
	var seen []string
	for _, d := range descs {
		if d.Platform == nil {
			continue
		}
		if d.Platform.OS == runtime.GOOS && d.Platform.Architecture == runtime.GOARCH {
			return d, nil
		}
		seen = append(seen, d.Platform.OS+"/"+d.Platform.Architecture)
	}
	return ociDescriptor{}, fmt.Errorf("image index has no %s/%s manifest (it has: %s)", runtime.GOOS, runtime.GOARCH, strings.Join(seen, ", "))
}

func blobPath(digest string) string {
	return "blobs/" + strings.Replace(digest, ":", "/", 1)
}

func readBlob(dir, digest string, v any) error {
	if _, err := digestHex(digest); err != nil {
		return err
	}
	raw, err := readVerified(dir, blobPath(digest), digest)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("decode blob %s: %w", digest, err)
	}
	return nil
}

func readJSONIn(dir, name string, v any) error {
	raw, err := readVerified(dir, name, "")
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("decode %s: %w", name, err)
	}
	return nil
}

// openIn opens name inside dir, never outside it (a manifest may name
// "../../etc/shadow").
func openIn(dir, name string) (*os.File, error) {
	rel, err := cleanName(name)
	if err != nil {
		return nil, err
	}
	p, err := securejoin.SecureJoin(dir, rel)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("archive member %q: %w", name, unwrapPath(err))
	}
	return f, nil
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// readVerified reads a small member and, when digest is set, checks it.
func readVerified(dir, name, digest string) ([]byte, error) {
	f, err := openIn(dir, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("read %q: %w", name, err)
	}
	if digest != "" {
		if got := sha256Digest(raw); got != digest {
			return nil, fmt.Errorf("blob %q has digest %s, want %s: the archive is corrupt", name, got, digest)
		}
	}
	return raw, nil
}

func sha256Digest(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// importImage commits li's layers and config and tags it.
func (s *Store) importImage(ctx context.Context, dir string, li loadable) (_ []string, retErr error) {
	raw, err := readVerified(dir, li.configPath, li.configDigest)
	if err != nil {
		return nil, err
	}
	cfg, err := ParseConfig(raw)
	if err != nil {
		return nil, err
	}
	if len(cfg.RootFS.DiffIDs) != len(li.layers) {
		return nil, fmt.Errorf("image config lists %d layers but the manifest has %d", len(cfg.RootFS.DiffIDs), len(li.layers))
	}
	chains := chainIDs(cfg.RootFS.DiffIDs)
	defer func() {
		if retErr != nil { // layers committed for an image that never came
			s.DropUnused(context.Background(), chains)
		}
	}()
	for i, l := range li.layers {
		lb := LayerBlob{ChainID: chains[i], DiffID: cfg.RootFS.DiffIDs[i], Digest: l.digest, MediaType: l.mediaType}
		if i > 0 {
			lb.Parent = chains[i-1]
		}
		_, err := s.CommitLayer(ctx, lb, func() (io.ReadCloser, error) { return openIn(dir, l.path) })
		if err != nil {
			return nil, fmt.Errorf("load layer %s: %w", state.ShortID(strings.TrimPrefix(lb.DiffID, "sha256:")), err)
		}
	}
	id, err := s.AddImage(ctx, raw, li.tags...)
	if err != nil {
		return nil, err
	}
	if len(li.tags) == 0 {
		return []string{"ID: " + id}, nil
	}
	var names []string
	for _, t := range li.tags {
		names = append(names, NormalizeRef(t))
	}
	return names, nil
}
