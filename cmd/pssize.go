package cmd

// pssize.go is ps -s: docker's SIZE column, "12B (virtual 1.2MB)". It
// walks each listed container's writable layer, so it costs what that
// layer holds, and only with -s (or a --format using .Size), as docker.

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"syscall"

	"github.com/docker/go-units"

	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/state"
)

// psSizer computes SIZE, caching each image's size (read once per image).
type psSizer struct {
	e      *lifecycle.Engine
	images map[string]int64
}

// size is docker's SIZE: the writable layer, then with the image's layers.
func (s *psSizer) size(c *state.Container) string {
	rw := s.writable(c)
	virtual := rw + s.imageSize(c.Image)
	out := units.HumanSizeWithPrecision(float64(rw), 3)
	if virtual > 0 {
		out = fmt.Sprintf("%s (virtual %s)", out, units.HumanSizeWithPrecision(float64(virtual), 3))
	}
	return out
}

// writable is the overlay upper dir's size; vfs keeps no separate writable
// layer (the container's root is a full copy), so there it is the copy's
// size less the image's.
func (s *psSizer) writable(c *state.Container) int64 {
	data := s.e.Images.Driver.Data(c.ID, nil, "")
	if upper, ok := data["UpperDir"]; ok {
		return dirSize(upper)
	}
	return max(0, dirSize(data["Dir"])-s.imageSize(c.Image))
}

func (s *psSizer) imageSize(id string) int64 {
	if size, ok := s.images[id]; ok {
		return size
	}
	var size int64
	if img, err := s.e.Images.Lookup(id); err == nil {
		size = img.Size
	}
	s.images[id] = size
	return size
}

// dirSize is docker's directory.Size: every non-directory's size, a hard
// link counted once; unreadable entries count nothing.
func dirSize(dir string) int64 {
	if dir == "" {
		return 0
	}
	var total int64
	seen := map[uint64]bool{}
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		if st, ok := info.Sys().(*syscall.Stat_t); ok && st.Nlink > 1 {
			if seen[st.Ino] {
				return nil
			}
			seen[st.Ino] = true
		}
		total += info.Size()
		return nil
	})
	return total
}
