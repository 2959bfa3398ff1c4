package state

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// AddName gives the existing container id a second entry in the name
// index, name: rename's first step, so that a crash at any later point
// leaves the container found by its old name or its new one. g proves
// the global lock is held. An entry that already names id is kept (a
// rename that crashed after this step, tried again).
func (s *Store) AddName(g *Global, name, id string, durable bool) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	err := s.claimName(name, id, durable)
	var inUse *NameInUseError
	if errors.As(err, &inUse) && inUse.ID == id {
		return nil
	}
	if err == nil && durable {
		err = syncDir(filepath.Join(s.Root, "names"))
	}
	return err
}

// DropName removes name's index entry if it names id (rename's last
// step, the old name; rm, a rename's leftover OtherName). An entry of
// another container is left alone, so, as Release, it needs no global
// lock: no one else writes an entry that names id.
func (s *Store) DropName(name, id string) error {
	if name == "" {
		return nil
	}
	if s.nameOwner(name) != id {
		return nil
	}
	if err := os.Remove(s.namePath(name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("release name %q: %w", name, err)
	}
	return nil
}
