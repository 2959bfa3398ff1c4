package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Durability. Every record is replaced atomically: a reader, or the next
// command after a crash, sees the old file or the new one. What must also
// survive power loss is written durable (the temporary file is fsynced
// before the rename and its directory after it, so the rename itself is on
// disk):
//   - a container's config.v2.json and hostconfig.json at create, and its
//     record when it exits or is marked exited after a reboot;
//   - image configs and repositories.json, volume and network records,
//     and registry credentials.
//
// Not durable: the record's run-time changes (running, its PIDs, a restart
// count) and everything under the runroot (bundles, the boot ID, hosts
// files), which a reboot ends or rebuilds anyway. A record torn all the
// same (a disk that lies, a full disk) is reported as damaged (ErrDamaged)
// and rm -f removes it.

// WriteFileAtomic replaces path with data: it writes a temporary file in the
// same directory, then renames it over path, durably if durable (above).
// On any error the temporary file is removed and path is left as it was.
// It is the one temp-and-rename writer of the tree.
func WriteFileAtomic(path string, data []byte, perm os.FileMode, durable bool) error {
	return WriteAtomic(path, perm, durable, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteAtomic is WriteFileAtomic for content that write streams out; an
// error from write is returned as it is.
func WriteAtomic(path string, perm os.FileMode, durable bool, write func(io.Writer) error) (retErr error) {
	dir, base := filepath.Split(path)
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	defer func() {
		if retErr != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := write(f); err != nil {
		return err
	}
	if err := f.Chmod(perm); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	if durable {
		if err := f.Sync(); err != nil {
			return fmt.Errorf("sync %q: %w", path, err)
		}
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	if durable {
		return syncDir(dir)
	}
	return nil
}

// syncDir makes a rename (or a create) in dir durable. A variable so that
// tests can see which directories are synced.
var syncDir = syncDirNow

func syncDirNow(dir string) error {
	if dir == "" {
		dir = "."
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync directory %q: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory %q: %w", dir, err)
	}
	return nil
}

// WriteJSONAtomic marshals v and writes it with WriteFileAtomic.
func WriteJSONAtomic(path string, v any, durable bool) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %q: %w", path, err)
	}
	return WriteFileAtomic(path, data, 0o600, durable)
}

// ErrDamaged is returned (wrapped) for a record that exists but cannot be
// read: empty, torn or not JSON.
var ErrDamaged = errors.New("damaged record")

// ReadJSON decodes the JSON file at path into v. A file that exists but
// does not decode (empty, torn, garbage) gives an error wrapping
// ErrDamaged.
func ReadJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return fmt.Errorf("%w: %s is empty", ErrDamaged, path)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%w: decode %s: %v", ErrDamaged, path, err)
	}
	return nil
}
