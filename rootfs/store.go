package rootfs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ctr-lite/ctr-lite/state"
)

// ErrImageNotFound is returned (wrapped) when no image matches a reference.
var ErrImageNotFound = errors.New("no such image")

// Store is the image store of one storage driver under Root.
type Store struct {
	Root   string // ctr-lite's --root
	Driver Driver
	// beforeAdd, if set, runs between committing an image's layers and
	// AddImage in load (a test hook for a concurrent rmi).
	beforeAdd func()
	// BombRatio and BombFloor bound how far a compressed layer may
	// expand (0: the defaults, 500:1 beyond 1 GiB).
	BombRatio, BombFloor int64
	// Warn, if set, gets a one-line message for each damaged record the
	// store works around.
	Warn func(msg string)

	warnMu sync.Mutex
	warned map[string]bool // the messages Warn has had
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
func (s *Store) tmpDir() string { return tmpDirOf(s.Driver.Home()) }

// tmpDirOf is where the driver at home keeps its work directories.
func tmpDirOf(home string) string { return filepath.Join(home, "tmp") }

// Init creates the store's directories.
func (s *Store) Init() error {
	for _, d := range []string{s.configDir(), filepath.Join(s.Driver.Home(), "layers"), s.tmpDir(), filepath.Join(s.Driver.Home(), "locks")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return fmt.Errorf("create image store: %w", err)
		}
	}
	return nil
}

func (s *Store) globalLock(ctx context.Context) (*state.Global, error) {
	return state.GlobalLock(ctx, s.Root)
}

// repositories maps a normalized reference ("busybox:latest") to an image ID.
type repositories map[string]string

// ErrIndexDamaged is returned (wrapped) by CheckIndex while the
// repositories index cannot be read: every image then looks untagged.
var ErrIndexDamaged = errors.New("the image index is damaged")

// readRepos reads the index with every key in NormalizeRef's form. Keys
// written before there was one normaliser ("index.docker.io/x/y:1",
// "busybox:1@sha256:...") are read in that form, and written back so by
// the next update; a key already in that form wins over an old spelling.
// A key ParseRef now refuses as an image ID in disguise ("sha256:<hex>",
// "<64 hex>:tag") is dropped: it would shadow that ID.
//
// A damaged index reads as empty with damaged set: the images are whole
// and kept by ID, only their names are unknown. Callers that write must
// go through writeRepos, which keeps the damaged file aside first.
func (s *Store) readRepos() (repos repositories, damaged bool, err error) {
	repos = repositories{}
	err = state.ReadJSON(s.reposPath(), &repos)
	if errors.Is(err, fs.ErrNotExist) {
		return repos, false, nil
	}
	if errors.Is(err, state.ErrDamaged) {
		s.warnOnce(fmt.Sprintf("%v: image names lost, images kept by ID (tag, pull or load them again)", err))
		return repositories{}, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	for ref, id := range repos {
		norm, err := normalizeKey(ref)
		if err != nil {
			delete(repos, ref)
			s.warnOnce(fmt.Sprintf("image index %s: dropped the name %q: %v", s.reposPath(), ref, err))
			continue
		}
		if norm != ref {
			delete(repos, ref)
			if _, ok := repos[norm]; !ok {
				repos[norm] = id
			}
		}
	}
	return repos, false, nil
}

// normalizeKey is NormalizeRef for an index key, failing for a name that
// ParseRef refuses as an ID in disguise.
func normalizeKey(key string) (string, error) {
	ref, err := ParseRef(key)
	var idName idNameError
	if errors.As(err, &idName) {
		return "", err
	}
	if err != nil {
		return key, nil
	}
	return FamiliarRef(ref), nil
}

// warnOnce passes msg to Warn the first time this Store sees it: a damaged
// index is read several times by one command but reported once.
func (s *Store) warnOnce(msg string) {
	if s.Warn == nil {
		return
	}
	s.warnMu.Lock()
	defer s.warnMu.Unlock()
	if s.warned == nil {
		s.warned = map[string]bool{}
	}
	if !s.warned[msg] {
		s.warned[msg] = true
		s.Warn(msg)
	}
}

// CheckIndex reports (ErrIndexDamaged) whether the repositories index is
// damaged: a prune of untagged images would then take every image.
func (s *Store) CheckIndex() error {
	_, damaged, err := s.readRepos()
	if err == nil && damaged {
		err = fmt.Errorf("%w (%s), so every image looks untagged", ErrIndexDamaged, s.reposPath())
	}
	return err
}

// updateRepos applies fn to the repositories index under the global lock.
func (s *Store) updateRepos(ctx context.Context, fn func(repositories) error) error {
	l, err := s.globalLock(ctx)
	if err != nil {
		return err
	}
	defer l.Unlock()
	repos, _, err := s.readRepos()
	if err != nil {
		return err
	}
	if err := fn(repos); err != nil {
		return err
	}
	return s.writeRepos(repos)
}

// writeRepos replaces the index (under the global lock). A damaged index
// is first kept as repositories.json.damaged-<unix time>, so the names in
// it can still be recovered by hand after the new index replaces it.
func (s *Store) writeRepos(repos repositories) error {
	if err := s.keepDamagedIndex(); err != nil {
		return err
	}
	return state.WriteJSONAtomic(s.reposPath(), repos, true)
}

func (s *Store) keepDamagedIndex() error {
	var probe repositories
	if err := state.ReadJSON(s.reposPath(), &probe); !errors.Is(err, state.ErrDamaged) {
		return nil
	}
	base := fmt.Sprintf("%s.damaged-%d", s.reposPath(), time.Now().Unix())
	aside := base
	for i := 1; ; i++ {
		// A hard link, not a rename: the index is never missing, and an
		// earlier aside copy is never overwritten.
		err := os.Link(s.reposPath(), aside)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrExist) || i > 100 {
			return fmt.Errorf("keep damaged image index %q: %w", s.reposPath(), err)
		}
		aside = fmt.Sprintf("%s.%d", base, i)
	}
	s.warnOnce(fmt.Sprintf("the damaged image index is kept as %s: names in it can be tagged again by hand", aside))
	return nil
}

// Tag points each ref at image id.
func (s *Store) Tag(ctx context.Context, id string, refs ...string) error {
	return s.updateRepos(ctx, func(r repositories) error {
		for _, ref := range refs {
			r[NormalizeRef(ref)] = id
		}
		return nil
	})
}

// ErrLayerMissing is returned by AddImage when a layer it needs is gone.
var ErrLayerMissing = errors.New("layer missing")

// layerTries is how many times RetryLayerMissing runs its step.
const layerTries = 3

// RetryLayerMissing runs store (commit an image's layers, then AddImage)
// again while it fails with ErrLayerMissing, at most layerTries times: a
// layer found already present can be removed by a concurrent rmi, prune
// or failed load before AddImage checks it under the global lock, and is
// then simply committed again. Pull and load both store images this way.
func RetryLayerMissing(store func() error) error {
	for range layerTries {
		if err := store(); !errors.Is(err, ErrLayerMissing) {
			return err
		}
	}
	return errors.New("layers keep disappearing while storing the image: is an image prune or rmi running? try again")
}

// AddImage stores an image config whose layers are committed and points
// refs at it. The layer check and the commit happen under the global lock,
// which rmi holds while deleting layers, so an image is never saved over a
// layer that a concurrent rmi removed; the caller fetches it again.
func (s *Store) AddImage(ctx context.Context, raw []byte, refs ...string) (string, error) {
	cfg, err := ParseConfig(raw)
	if err != nil {
		return "", err
	}
	l, err := s.globalLock(ctx)
	if err != nil {
		return "", err
	}
	defer l.Unlock()
	for _, chain := range chainIDs(cfg.RootFS.DiffIDs) {
		if !s.HasLayer(chain) {
			return "", fmt.Errorf("%w: %s", ErrLayerMissing, chain)
		}
	}
	id, err := s.SaveConfig(raw)
	if err != nil || len(refs) == 0 {
		return id, err
	}
	repos, _, err := s.readRepos()
	if err != nil {
		return "", err
	}
	for _, ref := range refs {
		repos[NormalizeRef(ref)] = id
	}
	return id, s.writeRepos(repos)
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
		var meta LayerMeta
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
	repos, _, err := s.readRepos()
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
			img.addRef(ref)
		}
	}
	for _, img := range out {
		sort.Strings(img.RepoTags)
		sort.Strings(img.RepoDigests)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Config.Created.After(out[j].Config.Created) })
	return out, nil
}

// Lookup finds an image by reference, full ID, or unique ID prefix, with
// its tags and size.
func (s *Store) Lookup(ref string) (*Image, error) {
	repos, id, err := s.resolve(ref)
	if err != nil {
		return nil, err
	}
	return s.readImageRefs(repos, id)
}

// Resolve is Lookup for the image's ID and config only: no tags, and no
// size (which reads every layer's record). It is what create needs.
func (s *Store) Resolve(ref string) (*Image, error) {
	_, id, err := s.resolve(ref)
	if err != nil {
		return nil, err
	}
	return s.ImageByID(id)
}

// resolve looks ref up as a name, then as an ID prefix, as docker does;
// a full ID ("<64 hex>" or "sha256:<64 hex>") is only ever an ID, as
// docker's ParseAnyReference reads it, so no name can take it over.
func (s *Store) resolve(ref string) (repositories, string, error) {
	repos, _, err := s.readRepos()
	if err != nil {
		return nil, "", err
	}
	if !isFullID(ref) {
		if id, ok := repos[NormalizeRef(ref)]; ok {
			return repos, id, nil
		}
	}
	id, err := s.resolveIDPrefix(strings.TrimPrefix(ref, "sha256:"))
	return repos, id, err
}

func (s *Store) readImageRefs(repos repositories, id string) (*Image, error) {
	img, err := s.readImage(id)
	if err != nil {
		return nil, err
	}
	for _, ref := range refsOf(repos, id) {
		img.addRef(ref)
	}
	return img, nil
}

// refsOf lists the references (tags and digests) pointing at id.
func refsOf(repos repositories, id string) []string {
	var refs []string
	for ref, rid := range repos {
		if rid == id {
			refs = append(refs, ref)
		}
	}
	sort.Strings(refs)
	return refs
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

// RawConfig returns image id's config exactly as stored (its digest is id).
func (s *Store) RawConfig(id string) ([]byte, error) {
	h, err := digestHex(id)
	if err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(filepath.Join(s.configDir(), h))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrImageNotFound, id)
	}
	return raw, err
}

// Layers returns the metadata of img's layers, bottom first; a layer
// stored before blobs were kept cannot be saved or pushed.
func (s *Store) Layers(img *Image) ([]LayerMeta, error) {
	var out []LayerMeta
	for _, chain := range img.ChainIDs() {
		m, err := s.Layer(chain)
		if err != nil {
			return nil, fmt.Errorf("read layer %s: %w", chain, err)
		}
		if m.Digest == "" {
			return nil, fmt.Errorf("layer %s has no stored blob (stored by an older ctr-lite): remove the image and load or pull it again", chain)
		}
		out = append(out, m)
	}
	return out, nil
}
