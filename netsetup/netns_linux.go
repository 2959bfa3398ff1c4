package netsetup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ctr-lite/ctr-lite/reexec"
)

// netnsCreateEntry is the re-exec entry point that makes a namespace: it
// starts in a new network namespace (CLONE_NEWNET from the parent), bind
// mounts it onto the path it is given, and exits.
const netnsCreateEntry = "ctr-lite-netns-create"

func init() {
	reexec.Register(netnsCreateEntry, func() {
		if len(os.Args) != 2 {
			os.Exit(2)
		}
		if err := unix.Mount("/proc/self/ns/net", os.Args[1], "", unix.MS_BIND, ""); err != nil {
			fmt.Fprintln(os.Stderr, "bind-mount network namespace:", err)
			os.Exit(1)
		}
		os.Exit(0)
	})
}

// CreateNetNS makes a new network namespace held by a bind mount at path.
// On failure nothing is left at path.
func CreateNetNS(path string) (retErr error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create netns directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_RDONLY, 0o444)
	if err != nil {
		return fmt.Errorf("create netns file %q: %w", path, err)
	}
	f.Close()
	defer func() {
		if retErr != nil {
			DeleteNetNS(path)
		}
	}()
	cmd := reexec.Command(netnsCreateEntry, path)
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("create network namespace: %w: %s", err, out)
	}
	return nil
}

// DeleteNetNS unmounts and removes a namespace file. Already gone counts
// as done; a busy mount is retried, then detached.
func DeleteNetNS(path string) error {
	for i := 0; ; i++ {
		err := unix.Unmount(path, 0)
		if err == nil || errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOENT) {
			break
		}
		if !errors.Is(err, unix.EBUSY) {
			return fmt.Errorf("unmount netns %q: %w", path, err)
		}
		if i == 10 {
			unix.Unmount(path, unix.MNT_DETACH)
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove netns file %q: %w", path, err)
	}
	return nil
}
