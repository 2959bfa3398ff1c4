package lifecycle

import (
	"context"
	"fmt"
	"path"

	"github.com/ctr-lite/ctr-lite/rootfs"
	"github.com/ctr-lite/ctr-lite/state"
)

// engineFiles are the name files the engine mounts into every container:
// docker diff leaves them out, and so does ctr-lite.
var engineFiles = []string{"/etc/hosts", "/etc/hostname", "/etc/resolv.conf"}

// Diff is docker diff: the container's changes to its image's files,
// sorted by path. It reads the writable layer directly (no mount), so it
// works on running and stopped containers alike; the container's lock is
// held so that rm cannot take the layer away mid-walk.
func (e *Engine) Diff(ctx context.Context, ref string) ([]rootfs.Change, error) {
	found, err := e.Lookup(ref)
	if err != nil {
		return nil, err
	}
	c, hc, l, err := e.LockAndLoad(ctx, found.ID)
	if err != nil {
		return nil, err
	}
	defer l.Unlock()
	img, err := e.Images.ImageByID(c.Image)
	if err != nil {
		return nil, fmt.Errorf("image of container %q: %w", c.Name, err)
	}
	raw, err := e.Images.Driver.Changes(c.ID, img.ChainIDs(), img.TopChainID())
	if err != nil {
		return nil, fmt.Errorf("read the changes of container %q: %w", c.Name, err)
	}
	return rootfs.FinishChanges(raw, EnginePaths(hc)), nil
}

// EnginePaths are the paths in a container that are the engine's, not
// the container's: the name files and the mount points of its volumes,
// binds and tmpfs. diff and commit leave them out, as docker's do.
func EnginePaths(hc *state.HostConfig) []string {
	skip := append([]string(nil), engineFiles...)
	for _, m := range hc.MountPoints {
		skip = append(skip, path.Clean("/"+m.Destination))
	}
	return skip
}
