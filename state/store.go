package state

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/gofrs/flock"

	"github.com/ctr-lite/ctr-lite/internal/fault"
)

// ErrNotFound is returned (wrapped) when no container matches a reference.
var ErrNotFound = errors.New("no such container")

// ErrNameInUse is returned (wrapped) when a name is already taken.
var ErrNameInUse = errors.New("name already in use")

// Store is the container part of the on-disk state under Root.
type Store struct {
	Root string
	// Warn, if set, gets a one-line message for each damaged file the
	// store works around or repairs.
	Warn func(msg string)
}

// Warnf passes a one-line warning to Warn.
func (s *Store) Warnf(format string, args ...any) {
	if s.Warn != nil {
		s.Warn(fmt.Sprintf(format, args...))
	}
}

// Dir returns the directory of container id.
func (s *Store) Dir(id string) string { return filepath.Join(s.Root, "containers", id) }

func (s *Store) namePath(name string) string { return filepath.Join(s.Root, "names", name) }

func (s *Store) configPath(id string) string { return filepath.Join(s.Dir(id), "config.v2.json") }

// Init creates the store's directories (0700: records may hold secrets in Env).
func (s *Store) Init() error {
	for _, d := range []string{"containers", "names"} {
		if err := os.MkdirAll(filepath.Join(s.Root, d), 0o700); err != nil {
			return fmt.Errorf("create state directory: %w", err)
		}
	}
	return nil
}

// GlobalLock takes the short lock that guards the name index and image refs.
func (s *Store) GlobalLock(ctx context.Context) (*Global, error) {
	return GlobalLock(ctx, s.Root)
}

// LockContainer takes container id's own lock and checks that the record
// still exists: a waiter may have queued on a container that was removed.
func (s *Store) LockContainer(ctx context.Context, id string) (*ContainerLock, error) {
	l, err := s.LockNew(ctx, id)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
		}
		return nil, err
	}
	if _, err := os.Stat(s.configPath(id)); err != nil {
		l.Unlock()
		return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	return l, nil
}

// Reserve claims name for a new container ID and creates its directory.
// An empty name gets a generated one; g proves the global lock is held.
// durable is whether the record will be (not for --rm): then the name
// entry and the directory survive a power loss too, so that the name is
// not lost with the record kept and then given to a second container.
func (s *Store) Reserve(g *Global, name string, durable bool) (id, finalName string, err error) {
	id = NewID()
	if name == "" {
		name, err = s.freeRandomName()
		if err != nil {
			return "", "", err
		}
	} else if err := ValidateName(name); err != nil {
		return "", "", err
	}
	if err := s.claimName(name, id, durable); err != nil {
		return "", "", err
	}
	werr := os.Mkdir(s.Dir(id), 0o700)
	if werr == nil && durable {
		werr = errors.Join(syncDir(filepath.Join(s.Root, "names")), syncDir(filepath.Join(s.Root, "containers")))
	}
	if werr != nil {
		os.Remove(s.Dir(id))
		os.Remove(s.namePath(name))
		return "", "", fmt.Errorf("reserve name %q: %w", name, werr)
	}
	return id, name, nil
}

// claimName writes name's index entry for id, failing with a
// NameInUseError if another entry holds it; a damaged entry (a crash
// while it was written) holds the name for nobody and is replaced.
func (s *Store) claimName(name, id string, durable bool) error {
	f, err := os.OpenFile(s.namePath(name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) && !ValidID(s.nameOwner(name)) {
		s.Warnf("name %q had a damaged index entry (%s): repaired", name, s.namePath(name))
		os.Remove(s.namePath(name))
		f, err = os.OpenFile(s.namePath(name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	}
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return &NameInUseError{Name: name, ID: s.nameOwner(name)}
		}
		return fmt.Errorf("reserve name %q: %w", name, err)
	}
	_, werr := f.WriteString(id)
	if werr == nil && durable {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(s.namePath(name))
		return fmt.Errorf("reserve name %q: %w", name, werr)
	}
	return nil
}

// NameInUseError says which container holds a name.
type NameInUseError struct{ Name, ID string }

func (e *NameInUseError) Error() string {
	return fmt.Sprintf("the container name %q is already in use by container %s: remove it (ctr-lite rm -f %s) or choose another --name", e.Name, ShortID(e.ID), e.Name)
}

// Is makes errors.Is(err, ErrNameInUse) hold.
func (e *NameInUseError) Is(target error) bool { return target == ErrNameInUse }

func (s *Store) nameOwner(name string) string {
	data, _ := os.ReadFile(s.namePath(name))
	return string(data)
}

func (s *Store) freeRandomName() (string, error) {
	for i := 0; i < 100; i++ {
		name := RandomName(i / 10)
		if _, err := os.Lstat(s.namePath(name)); errors.Is(err, fs.ErrNotExist) {
			return name, nil
		}
	}
	return "", errors.New("generate container name: all tries taken; pass --name")
}

// Release undoes Reserve: it removes the name and the container directory.
// It is idempotent.
func (s *Store) Release(id, name string) error {
	if name == "" {
		name = s.nameOf(id)
	}
	// The directory goes out of sight first, then the name: a crash in
	// between leaves a name without a record, which create and rm reclaim
	// (Orphaned). Renaming, not removing, also keeps a waiter queued on the
	// container's lock from re-creating its lock file inside it.
	trash := s.Dir(id) + removingSuffix
	if err := os.Rename(s.Dir(id), trash); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove container directory %q: %w", s.Dir(id), err)
	}
	fault.Point("rm:after-trash")
	if data, err := os.ReadFile(s.namePath(name)); err == nil && (string(data) == id || !ValidID(string(data))) {
		if err := os.Remove(s.namePath(name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("release name %q: %w", name, err)
		}
	}
	fault.Point("rm:after-release-name")
	if err := os.RemoveAll(trash); err != nil {
		return fmt.Errorf("remove container directory %q: %w", trash, err)
	}
	return nil
}

// removingSuffix marks a container directory being deleted; List finishes
// the job if a crash interrupted it.
const removingSuffix = ".removing"

// Save writes config.v2.json.
func (s *Store) Save(c *Container, durable bool) error {
	return WriteJSONAtomic(s.configPath(c.ID), c, durable)
}

// SaveHostConfig writes hostconfig.json.
func (s *Store) SaveHostConfig(id string, hc *HostConfig, durable bool) error {
	return WriteJSONAtomic(filepath.Join(s.Dir(id), "hostconfig.json"), hc, durable)
}

// Load reads container id's record. A record that exists but cannot be
// read gives an error wrapping ErrDamaged.
func (s *Store) Load(id string) (*Container, error) {
	var c Container
	if err := ReadJSON(s.configPath(id), &c); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
		}
		return nil, err
	}
	if c.ID != id { // "null", "{}" or another container's record
		return nil, fmt.Errorf("%w: %s is not container %s's record", ErrDamaged, s.configPath(id), ShortID(id))
	}
	return &c, nil
}

// LoadHostConfig reads container id's hostconfig.json; see Load for a
// damaged one.
func (s *Store) LoadHostConfig(id string) (*HostConfig, error) {
	var hc HostConfig
	if err := ReadJSON(filepath.Join(s.Dir(id), "hostconfig.json"), &hc); err != nil {
		return &hc, err
	}
	hc.upgrade()
	return &hc, nil
}

// Damaged stands in for container id whose record cannot be read (err):
// status dead, its ID from the directory name and its name from the name
// index, so ps shows it and rm -f can remove it.
func (s *Store) Damaged(id string, err error) *Container {
	c := &Container{ID: id, Name: s.nameOf(id), Damage: err,
		State: State{Status: StatusDead, Dead: true, Error: err.Error()}}
	if fi, serr := os.Stat(s.Dir(id)); serr == nil {
		c.Created = fi.ModTime().UTC() // about when it was made
	}
	return c
}

// Resolve maps a reference (full ID, name, or unique ID prefix) to an ID.
func (s *Store) Resolve(ref string) (string, error) {
	if ref == "" {
		return "", fmt.Errorf("%w: empty reference", ErrNotFound)
	}
	if ValidID(ref) {
		if _, err := os.Stat(s.configPath(ref)); err == nil {
			return ref, nil
		}
	}
	name := strings.TrimPrefix(ref, "/")
	data, err := os.ReadFile(s.namePath(name))
	if err == nil && ValidID(string(data)) {
		return string(data), nil
	}
	if id, perr := s.resolvePrefix(ref); perr == nil || !errors.Is(perr, ErrNotFound) {
		return id, perr
	}
	// A damaged entry (a crash while it was written), or a missing one (a
	// power loss took it, or an old ctr-lite never synced it): the
	// records still say which container has the name.
	if ValidName(name) {
		if id := s.byRecordName(name); id != "" {
			s.Warnf("name %q has a missing or damaged index entry (%s): found it by its record", name, s.namePath(name))
			return id, nil
		}
	}
	return "", fmt.Errorf("%w: %s", ErrNotFound, ref)
}

// byRecordName finds the container whose record has name: the way to a
// container whose name index entry is damaged.
func (s *Store) byRecordName(name string) string {
	list, _ := s.List()
	for _, c := range list {
		if c.Name == name && c.Damage == nil {
			return c.ID
		}
	}
	return ""
}

func (s *Store) resolvePrefix(prefix string) (string, error) {
	ids, err := s.IDs()
	if err != nil {
		return "", err
	}
	var match string
	for _, id := range ids {
		if strings.HasPrefix(id, prefix) {
			if match != "" {
				return "", fmt.Errorf("multiple containers match %q: use more of the ID or the name", prefix)
			}
			match = id
		}
	}
	if match == "" {
		return "", fmt.Errorf("%w: %s", ErrNotFound, prefix)
	}
	return match, nil
}

// IDs lists every container ID with a directory.
func (s *Store) IDs() ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(s.Root, "containers"))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("list containers: %w", err)
	}
	ids := make([]string, 0, len(entries))
	for _, e := range entries {
		switch {
		case ValidID(e.Name()):
			ids = append(ids, e.Name())
		case strings.HasSuffix(e.Name(), removingSuffix):
			os.RemoveAll(filepath.Join(s.Root, "containers", e.Name()))
		}
	}
	return ids, nil
}

// List loads every complete record, on every CPU (ps over a thousand
// containers is mostly JSON decoding). Directories without a record (a
// create in progress, or one that crashed before writing it) are skipped;
// a damaged record is listed as Damaged, so that it can be seen and removed.
func (s *Store) List() ([]*Container, error) {
	ids, err := s.IDs()
	if err != nil {
		return nil, err
	}
	return s.loadAll(ids), nil
}

// ListNamed is List of the containers whose name matches: the name index
// is read first, so `ps -f name=web` over a thousand containers decodes
// only the records it may show. A container directory no index entry
// names (an entry lost with a power cut, or never synced by an older
// version; Resolve falls back to the records too) is loaded as well, so
// none that matches is missed; the caller still filters the records by
// their own name.
func (s *Store) ListNamed(match func(name string) bool) ([]*Container, error) {
	entries, err := os.ReadDir(filepath.Join(s.Root, "names"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("list container names: %w", err)
	}
	all, err := s.IDs()
	if err != nil {
		return nil, err
	}
	// A rename holds two entries for one container until it ends (for
	// good, if it crashed between): either may be the one that matches.
	indexed, added := map[string]bool{}, map[string]bool{}
	var ids []string
	for _, e := range entries {
		id := s.nameOwner(e.Name())
		if !ValidID(id) {
			continue
		}
		indexed[id] = true
		if match(e.Name()) && !added[id] {
			added[id] = true
			ids = append(ids, id)
		}
	}
	for _, id := range all {
		if !indexed[id] {
			ids = append(ids, id)
		}
	}
	return s.loadAll(ids), nil
}

// loadAll loads the records of ids in parallel, skipping those without
// one and listing a damaged one as Damaged.
func (s *Store) loadAll(ids []string) []*Container {
	loaded := make([]*Container, len(ids))
	workers := min(runtime.NumCPU(), len(ids))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(ids); i += workers {
				c, err := s.Load(ids[i])
				if errors.Is(err, ErrDamaged) {
					c = s.Damaged(ids[i], err)
				}
				loaded[i] = c
			}
		}()
	}
	wg.Wait()
	out := make([]*Container, 0, len(ids))
	for _, c := range loaded {
		if c != nil {
			out = append(out, c)
		}
	}
	return out
}

// LockNew takes the lock of a container just reserved, before its record
// exists; create holds it until the record is written, so that an
// unfinished create can be told from one that died (see Orphaned).
func (s *Store) LockNew(ctx context.Context, id string) (*ContainerLock, error) {
	l, err := AcquireLock(ctx, filepath.Join(s.Dir(id), "lock"))
	if err != nil {
		return nil, err
	}
	return &ContainerLock{l: l, id: id}, nil
}

// Orphaned reports whether id is a reservation whose create died: no
// record, and nobody holds its lock (or its directory was never made).
// The global lock (g) is held, so no create is between its reservation
// and its lock.
func (s *Store) Orphaned(g *Global, id string) bool {
	if _, err := os.Stat(s.configPath(id)); err == nil {
		return false
	}
	fl := flock.New(filepath.Join(s.Dir(id), "lock"))
	defer fl.Close()
	ok, err := fl.TryLock()
	if errors.Is(err, fs.ErrNotExist) {
		return true
	}
	if ok {
		fl.Unlock()
	}
	return ok
}

// LockHeld reports whether another process (or another open lock in this
// one) holds container id's lock right now: a start holds it from its
// first step until the record says running, so a container that is Gone
// by its record but whose lock is held may be between the two.
func (s *Store) LockHeld(id string) bool {
	fl := flock.New(filepath.Join(s.Dir(id), "lock"))
	defer fl.Close()
	ok, err := fl.TryLock()
	if err != nil {
		return false // no directory, no lock file: nobody holds it
	}
	if ok {
		fl.Unlock()
	}
	return !ok
}

// nameOf finds the name reserved for id, "" if none: a scan of the name
// index, for the rare removal of a reservation known only by its ID.
func (s *Store) nameOf(id string) string {
	entries, _ := os.ReadDir(filepath.Join(s.Root, "names"))
	for _, e := range entries {
		if s.nameOwner(e.Name()) == id {
			return e.Name()
		}
	}
	return ""
}
