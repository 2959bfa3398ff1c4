package rootfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	securejoin "github.com/cyphar/filepath-securejoin"
)

// setupInitLayer creates the init entries missing from the filesystem at
// root, resolving each path inside root (an image's /etc may be a symlink).
func setupInitLayer(root string) error {
	for _, e := range initEntries {
		p, err := securejoin.SecureJoin(root, e.path)
		if err != nil {
			return fmt.Errorf("init layer %q: %w", e.path, err)
		}
		if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err := mkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("init layer %q: %w", e.path, err)
		}
		if err := createInitEntry(p, e.kind); err != nil {
			return fmt.Errorf("init layer %q: %w", e.path, err)
		}
	}
	return nil
}

func createInitEntry(p, kind string) error {
	switch kind {
	case "dir":
		if err := os.Mkdir(p, 0o755); err != nil {
			return err
		}
		return os.Chmod(p, 0o755) // whatever the umask
	case "file":
		f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o755)
		if err != nil {
			return err
		}
		return f.Close()
	}
	return os.Symlink(kind, p)
}
