package rootfs

import (
	"archive/tar"
	"bytes"
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
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

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

// Loaded is one image Load imported: Ref is a name it was given ("" for
// an image the archive names none for), ID its image ID.
type Loaded struct {
	Ref, ID string
}

// Load imports every image in path (a docker-archive tar, an OCI archive
// tar, or an OCI layout directory) and returns one Loaded for each name it
// gave, or for an untagged image, its ID only.
func (s *Store) Load(ctx context.Context, path string) ([]Loaded, error) {
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
	var loaded []Loaded
	for _, li := range images {
		got, err := s.importImage(ctx, dir, li)
		if err != nil {
			return loaded, err
		}
		loaded = append(loaded, got...)
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

// findImages recognises the format of dir and lists its images. The
// formats are read with go-containerregistry's types and parsers
// (tarball.Manifest, v1.IndexManifest, v1.Manifest), but every byte comes
// through openIn and readVerified: layout.Path and tarball.Image open
// member paths as they are (following an archive's symlinks out of it) and
// do not check a blob against its digest before it is parsed.
func findImages(dir, origin string) ([]loadable, error) {
	if _, err := os.Stat(filepath.Join(dir, "manifest.json")); err == nil {
		return dockerArchiveImages(dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "index.json")); err == nil {
		return ociImages(dir)
	}
	return nil, fmt.Errorf("%q is not an image archive: no manifest.json (docker save) or index.json (OCI)", origin)
}

func dockerArchiveImages(dir string) ([]loadable, error) {
	var manifest tarball.Manifest
	if err := readJSONIn(dir, "manifest.json", &manifest); err != nil {
		return nil, err
	}
	out := make([]loadable, 0, len(manifest))
	for _, m := range manifest {
		if err := checkRepoTags(m.RepoTags); err != nil {
			return nil, err
		}
		tags, err := archiveTags(m.RepoTags)
		if err != nil {
			return nil, err
		}
		li := loadable{configPath: m.Config, configDigest: blobPathDigest(m.Config), tags: tags}
		for _, l := range m.Layers {
			li.layers = append(li.layers, blobRef{path: l, digest: blobPathDigest(l)})
		}
		out = append(out, li)
	}
	return out, nil
}

// archiveTags checks an archive's names as docker's load does (each is a
// NAME:TAG reference) and gives them the store's form.
func archiveTags(names []string) ([]string, error) {
	var out []string
	for _, n := range names {
		ref, err := ParseRef(n)
		if err != nil {
			return nil, fmt.Errorf("image archive names %q: %w", n, err)
		}
		if _, ok := ref.(name.Tag); !ok {
			return nil, fmt.Errorf("image archive names %q: not a NAME:TAG reference", n)
		}
		out = append(out, FamiliarRef(ref))
	}
	return out, nil
}

// checkRepoTags refuses a docker-archive RepoTags entry without its tag
// written out ("foo"), as docker's load does (`invalid tag "foo"`): the
// archive's own format always has one.
func checkRepoTags(names []string) error {
	for _, n := range names {
		if ref, err := ParseRef(n); err == nil && !strings.HasSuffix(n, ":"+ref.Identifier()) {
			return fmt.Errorf("image archive names %q: invalid tag %q: want NAME:TAG", n, n)
		}
	}
	return nil
}

// blobPathDigest reads the digest from a "blobs/sha256/<hex>" path (docker
// 25+ archives), "" for older names.
func blobPathDigest(p string) string {
	if h, ok := strings.CutPrefix(p, "blobs/sha256/"); ok {
		return "sha256:" + h
	}
	return ""
}

// The annotations that name an image in an OCI index.
const (
	annotationImageName = "io.containerd.image.name"          // a full reference (docker save, containerd)
	annotationRefName   = "org.opencontainers.image.ref.name" // a tag, or a full reference (podman, skopeo)
)

func ociImages(dir string) ([]loadable, error) {
	raw, err := readVerified(dir, "index.json", "")
	if err != nil {
		return nil, err
	}
	index, err := v1.ParseIndexManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("decode index.json: %w", err)
	}
	var out []loadable
	for _, desc := range index.Manifests {
		tags, err := archiveTags(ociNames(desc.Annotations))
		if err != nil {
			return nil, err
		}
		li, err := ociManifest(dir, desc)
		if err != nil {
			return nil, err
		}
		li.tags = tags
		out = append(out, li)
	}
	return out, nil
}

// ociNames is the name an index entry gives its image, as docker's load
// reads it: io.containerd.image.name is the full name. A ref.name that is
// a full reference ("busybox:1", "quay.io/org/app:2") names the image too,
// as podman reads it. A ref.name that is only a tag ("latest",
// "bookworm") names nothing, as in docker, which prints the image's ID: the
// archive's file name is not a repository.
func ociNames(annotations map[string]string) []string {
	if n := annotations[annotationImageName]; n != "" {
		return []string{n}
	}
	if ref := annotations[annotationRefName]; strings.ContainsAny(ref, "/:") {
		return []string{ref}
	}
	return nil
}

// ociManifest reads the image desc points at, choosing this host's
// platform when it is an index.
func ociManifest(dir string, desc v1.Descriptor) (loadable, error) {
	raw, err := readVerified(dir, blobPath(desc.Digest.String()), desc.Digest.String())
	if err != nil {
		return loadable{}, err
	}
	if desc.MediaType.IsIndex() || isIndex(raw) {
		index, err := v1.ParseIndexManifest(bytes.NewReader(raw))
		if err != nil {
			return loadable{}, fmt.Errorf("decode image index %s: %w", desc.Digest, err)
		}
		child, err := pickPlatform(index.Manifests)
		if err != nil {
			return loadable{}, err
		}
		return ociManifest(dir, child)
	}
	m, err := v1.ParseManifest(bytes.NewReader(raw))
	if err != nil {
		return loadable{}, fmt.Errorf("decode image manifest %s: %w", desc.Digest, err)
	}
	li := loadable{configPath: blobPath(m.Config.Digest.String()), configDigest: m.Config.Digest.String()}
	for _, l := range m.Layers {
		li.layers = append(li.layers, blobRef{path: blobPath(l.Digest.String()), digest: l.Digest.String(), mediaType: string(l.MediaType)})
	}
	return li, nil
}

// isIndex tells an index whose descriptor has no media type by its content.
func isIndex(raw []byte) bool {
	var probe struct {
		Manifests []json.RawMessage `json:"manifests"`
	}
	return json.Unmarshal(raw, &probe) == nil && len(probe.Manifests) > 0
}

func pickPlatform(descs []v1.Descriptor) (v1.Descriptor, error) {
	host := v1.Platform{OS: runtime.GOOS, Architecture: runtime.GOARCH}
	var seen []string
	for _, d := range descs {
		if d.Platform == nil {
			continue
		}
		if d.Platform.Satisfies(host) {
			return d, nil
		}
		seen = append(seen, d.Platform.String())
	}
	return v1.Descriptor{}, fmt.Errorf("image index has no %s manifest (it has: %s)", host, strings.Join(seen, ", "))
}

func blobPath(digest string) string {
	return "blobs/" + strings.Replace(digest, ":", "/", 1)
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

// commitLayers commits li's layers from dir, bottom first; a layer already
// stored is kept as it is.
func (s *Store) commitLayers(ctx context.Context, dir string, li loadable, diffIDs, chains []string) error {
	for i, l := range li.layers {
		lb := LayerBlob{ChainID: chains[i], DiffID: diffIDs[i], Digest: l.digest, MediaType: l.mediaType}
		if i > 0 {
			lb.Parent = chains[i-1]
		}
		_, err := s.CommitLayer(ctx, lb, func() (io.ReadCloser, error) { return openIn(dir, l.path) })
		if err != nil {
			return fmt.Errorf("load layer %s: %w", state.ShortID(strings.TrimPrefix(lb.DiffID, "sha256:")), err)
		}
	}
	return nil
}

// importImage commits li's layers and config and tags it.
func (s *Store) importImage(ctx context.Context, dir string, li loadable) (_ []Loaded, retErr error) {
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
	var id string
	err = RetryLayerMissing(func() (err error) {
		if err = s.commitLayers(ctx, dir, li, cfg.RootFS.DiffIDs, chains); err != nil {
			return err
		}
		if s.beforeAdd != nil {
			s.beforeAdd()
		}
		id, err = s.AddImage(ctx, raw, li.tags...)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(li.tags) == 0 {
		return []Loaded{{ID: id}}, nil
	}
	out := make([]Loaded, 0, len(li.tags))
	for _, t := range li.tags {
		out = append(out, Loaded{Ref: t, ID: id})
	}
	return out, nil
}
