package rootfs

import (
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
	"sort"
	"strings"

	"github.com/ctr-lite/ctr-lite/state"
)

// ErrImageNotFound is returned (wrapped) when no image matches a reference.
var ErrImageNotFound = errors.New("no such image")

// Store is the image store of one storage driver under Root.
type Store struct {
	Root   string // ctr-lite's --root
	Driver Driver
}

// NewStore returns the store for the named driver ("" picks the default).
func NewStore(root, driverName string) (*Store, error) {
	d, err := NewDriver(root, driverName)
	if err != nil {
		return nil, err
	}
	return &Store{Root: root, Driver: d}, nil
}

func (s *Store) imageDir() string  { return filepath.Join(s.Root, "image", s.Driver.Name()) }
func (s *Store) configDir() string { return filepath.Join(s.imageDir(), "imagedb") }
func (s *Store) reposPath() string { return filepath.Join(s.imageDir(), "repositories.json") }
func (s *Store) layerDir(chainID string) string {
	h, _ := digestHex(chainID)
	return filepath.Join(s.Driver.Home(), "layers", h)
}
func (s *Store) tmpDir() string { return filepath.Join(s.Driver.Home(), "tmp") }

// Init creates the store's directories.
func (s *Store) Init() error {
	for _, d := range []string{s.configDir(), filepath.Join(s.Driver.Home(), "layers"), s.tmpDir()} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return fmt.Errorf("create image store: %w", err)
		}
	}
	return nil
}

func (s *Store) globalLock(ctx context.Context) (*state.Lock, error) {
	return state.AcquireLock(ctx, filepath.Join(s.Root, "lock"))
}

// repositories maps a normalized reference ("busybox:latest") to an image ID.
type repositories map[string]string

func (s *Store) readRepos() (repositories, error) {
	repos := repositories{}
	err := state.ReadJSON(s.reposPath(), &repos)
	if errors.Is(err, fs.ErrNotExist) {
		return repos, nil
	}
	return repos, err
}

// updateRepos applies fn to the repositories index under the global lock.
func (s *Store) updateRepos(ctx context.Context, fn func(repositories) error) error {
	l, err := s.globalLock(ctx)
	if err != nil {
		return err
	}
	defer l.Unlock()
	repos, err := s.readRepos()
	if err != nil {
		return err
	}
	if err := fn(repos); err != nil {
		return err
	}
	return state.WriteJSONAtomic(s.reposPath(), repos, true)
}

// Tag points ref at image id.
func (s *Store) Tag(ctx context.Context, ref, id string) error {
	return s.updateRepos(ctx, func(r repositories) error {
		r[NormalizeRef(ref)] = id
		return nil
	})
}

// ImageByID reads image id (sha256:...) by its full ID: the config only,
// no index, tags or size. It is what starting a container needs.
func (s *Store) ImageByID(id string) (*Image, error) {
	h, err := digestHex(id)
	if err != nil {
		return nil, err
	}
	img := &Image{ID: id}
	if err := state.ReadJSON(filepath.Join(s.configDir(), h), &img.Config); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s", ErrImageNotFound, id)
		}
		return nil, err
	}
	return img, nil
}

// readImage is ImageByID with the image's size; tags are not filled.
func (s *Store) readImage(id string) (*Image, error) {
	img, err := s.ImageByID(id)
	if err != nil {
		return nil, err
	}
	for _, chain := range img.ChainIDs() {
		var meta layerMeta
		if err := state.ReadJSON(filepath.Join(s.layerDir(chain), "layer.json"), &meta); err == nil {
			img.Size += meta.Size
		}
	}
	return img, nil
}

// Images lists every stored image with its tags, newest first.
func (s *Store) Images() ([]*Image, error) {
	entries, err := os.ReadDir(s.configDir())
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("list images: %w", err)
	}
	repos, err := s.readRepos()
	if err != nil {
		return nil, err
	}
	byID := map[string]*Image{}
	var out []*Image
	for _, e := range entries {
		img, err := s.readImage("sha256:" + e.Name())
		if err != nil {
			continue // a half-written entry: temp files start with "."
		}
		byID[img.ID] = img
		out = append(out, img)
	}
	for ref, id := range repos {
		if img := byID[id]; img != nil {
			img.RepoTags = append(img.RepoTags, ref)
		}
	}
	for _, img := range out {
		sort.Strings(img.RepoTags)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Config.Created.After(out[j].Config.Created) })
	return out, nil
}

// Lookup finds an image by reference, full ID, or unique ID prefix.
func (s *Store) Lookup(ref string) (*Image, error) {
	repos, err := s.readRepos()
	if err != nil {
		return nil, err
	}
	if id, ok := repos[NormalizeRef(ref)]; ok {
		img, err := s.readImage(id)
		if err == nil {
			img.RepoTags = tagsOf(repos, id)
		}
		return img, err
	}
	id, err := s.resolveIDPrefix(strings.TrimPrefix(ref, "sha256:"))
	if err != nil {
		return nil, err
	}
	img, err := s.readImage(id)
	if err == nil {
		img.RepoTags = tagsOf(repos, id)
	}
	return img, err
}

func tagsOf(repos repositories, id string) []string {
	var tags []string
	for ref, rid := range repos {
		if rid == id {
			tags = append(tags, ref)
		}
	}
	sort.Strings(tags)
	return tags
}

func (s *Store) resolveIDPrefix(prefix string) (string, error) {
	notFound := fmt.Errorf("%w: %s", ErrImageNotFound, prefix)
	if len(prefix) < 4 || strings.ContainsAny(prefix, "/:") {
		return "", notFound
	}
	entries, err := os.ReadDir(s.configDir())
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	var match string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) {
			if match != "" {
				return "", fmt.Errorf("image ID prefix %q is ambiguous: give more digits", prefix)
			}
			match = e.Name()
		}
	}
	if match == "" {
		return "", notFound
	}
	return "sha256:" + match, nil
}

// layerMeta is kept beside each unpacked layer.
type layerMeta struct {
	ChainID string
	DiffID  string
	Parent  string
	Size    int64
}

// HasLayer reports whether the layer with this chain ID is unpacked.
func (s *Store) HasLayer(chainID string) bool {
	_, err := os.Stat(filepath.Join(s.layerDir(chainID), "layer.json"))
	return err == nil
}

// LayerDiffDir is the directory holding a layer's files.
func (s *Store) LayerDiffDir(chainID string) string {
	return filepath.Join(s.layerDir(chainID), "diff")
}

// CommitLayer unpacks the uncompressed tar r as layer chainID on parent,
// verifies that its digest is diffID, and only then makes it visible.
func (s *Store) CommitLayer(r io.Reader, chainID, parent, diffID string) (retErr error) {
	if s.HasLayer(chainID) {
		return nil
	}
	tmp, err := os.MkdirTemp(s.tmpDir(), "layer-")
	if err != nil {
		return fmt.Errorf("create layer: %w", err)
	}
	defer func() {
		if retErr != nil {
			os.RemoveAll(tmp)
		}
	}()
	parentDiff := ""
	if parent != "" {
		parentDiff = s.LayerDiffDir(parent)
	}
	diff := filepath.Join(tmp, "diff")
	if err := s.Driver.PrepareLayer(diff, parentDiff); err != nil {
		return err
	}
	h := sha256.New()
	size, err := ApplyLayer(io.TeeReader(r, h), diff, s.Driver.Format())
	if err != nil {
		return err
	}
	if _, err := io.Copy(h, r); err != nil { // tar padding after the end marker
		return fmt.Errorf("read layer: %w", err)
	}
	if got := "sha256:" + hex.EncodeToString(h.Sum(nil)); got != diffID {
		return fmt.Errorf("layer content is %s but the image config says %s: the archive is corrupt", got, diffID)
	}
	meta := layerMeta{ChainID: chainID, DiffID: diffID, Parent: parent, Size: size}
	if err := state.WriteJSONAtomic(filepath.Join(tmp, "layer.json"), meta, true); err != nil {
		return err
	}
	return s.publish(tmp, s.layerDir(chainID))
}

// publish renames a finished temporary directory into place; if another
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

// SaveConfig stores raw image config bytes and returns the image ID.
func (s *Store) SaveConfig(raw []byte) (string, error) {
	sum := sha256.Sum256(raw)
	h := hex.EncodeToString(sum[:])
	if err := state.WriteFileAtomic(filepath.Join(s.configDir(), h), raw, 0o600, true); err != nil {
		return "", err
	}
	return "sha256:" + h, nil
}

// ParseConfig decodes an image config and checks what ctr-lite relies on.
func ParseConfig(raw []byte) (*ImageConfig, error) {
	var cfg ImageConfig
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return nil, fmt.Errorf("decode image config: %w", err)
	}
	for _, d := range cfg.RootFS.DiffIDs {
		if _, err := digestHex(d); err != nil {
			return nil, fmt.Errorf("image config: %w", err)
		}
	}
	return &cfg, nil
}
