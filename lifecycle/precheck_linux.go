package lifecycle

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"

	"github.com/ctr-lite/ctr-lite/specgen"
)

// statInRoot stats p resolved inside rootfs (symlinks followed, but never
// out of rootfs), with an fd-based lookup.
func statInRoot(rootfs, p string) (fs.FileInfo, error) {
	f, err := pathrs.OpenInRoot(rootfs, p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Stat()
}

// prepareWorkdir creates a missing working directory, as docker's
// SetupWorkingDirectory does, and refuses one that is not a directory.
func prepareWorkdir(rootfs, dir string) error {
	if dir == "" || dir == "/" {
		return nil
	}
	fi, err := statInRoot(rootfs, dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// Created through directory handles inside rootfs: a symlink the
		// container left cannot lead the mkdir out.
		if err := pathrs.MkdirAll(rootfs, dir, 0o755); err != nil {
			return WithCode(ExitCannotRun, fmt.Errorf("create workdir %q: %w", dir, err))
		}
		return nil
	case err != nil:
		return WithCode(ExitCannotRun, fmt.Errorf("workdir %q: %w", dir, err))
	case !fi.IsDir():
		return WithCode(ExitCannotRun, fmt.Errorf("workdir %q is not a directory: choose another -w", dir))
	}
	return nil
}

// checkCommand finds argv0 in the container the way execve will, so a
// missing or unrunnable command fails with docker's 127/126 and a clear
// message before the runtime starts. Paths under a volume or tmpfs are
// left to the runtime: they are not in the rootfs yet.
func checkCommand(rootfs, argv0, cwd string, env, mountDests []string) error {
	if strings.Contains(argv0, "/") {
		p := argv0
		if !path.IsAbs(p) {
			p = path.Join("/", cwd, p)
		}
		return checkExecutable(rootfs, argv0, p, mountDests)
	}
	search, ok := "", false
	for _, kv := range env {
		if k, v, _ := strings.Cut(kv, "="); k == "PATH" {
			search, ok = v, true
		}
	}
	if !ok { // the process gets docker's default PATH (specgen), so look there
		search = strings.TrimPrefix(specgen.DefaultPath, "PATH=")
	}
	for _, dir := range strings.Split(search, ":") {
		if dir == "" {
			continue
		}
		err := checkExecutable(rootfs, argv0, path.Join(dir, argv0), mountDests)
		if err == nil || !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return WithCode(ExitNotFound, fmt.Errorf("exec: %q: executable file not found in $PATH", argv0))
}

func checkExecutable(rootfs, argv0, p string, mountDests []string) error {
	for _, m := range mountDests {
		if p == m || strings.HasPrefix(p, strings.TrimSuffix(m, "/")+"/") {
			return nil
		}
	}
	fi, err := statInRoot(rootfs, p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &ExitError{Code: ExitNotFound, Err: fmt.Errorf("exec: %q: stat %s: %w", argv0, p, fs.ErrNotExist)}
	case err != nil:
		return WithCode(ExitCannotRun, fmt.Errorf("exec: %q: %w", argv0, err))
	case fi.IsDir():
		return WithCode(ExitCannotRun, fmt.Errorf("exec: %q: is a directory", argv0))
	case fi.Mode()&0o111 == 0:
		return WithCode(ExitCannotRun, fmt.Errorf("exec: %q: permission denied", argv0))
	}
	return nil
}
