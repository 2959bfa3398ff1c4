package lifecycle

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
)

// prepareWorkdir creates a missing working directory, as docker's
// SetupWorkingDirectory does, and refuses one that is not a directory.
func prepareWorkdir(rootfs, dir string) error {
	if dir == "" || dir == "/" {
		return nil
	}
	p, err := securejoin.SecureJoin(rootfs, dir)
	if err != nil {
		return withCode(ExitEngine, fmt.Errorf("resolve workdir %q: %w", dir, err))
	}
	fi, err := os.Stat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(p, 0o755); err != nil {
			return withCode(ExitCannotRun, fmt.Errorf("create workdir %q: %w", dir, err))
		}
		return nil
	case err != nil:
		return withCode(ExitCannotRun, fmt.Errorf("workdir %q: %w", dir, err))
	case !fi.IsDir():
		return withCode(ExitCannotRun, fmt.Errorf("workdir %q is not a directory: choose another -w", dir))
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
	for _, dir := range strings.Split(envValue(env, "PATH"), ":") {
		if dir == "" {
			continue
		}
		err := checkExecutable(rootfs, argv0, path.Join(dir, argv0), mountDests)
		if err == nil || !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return withCode(ExitNotFound, fmt.Errorf("exec: %q: executable file not found in $PATH", argv0))
}

func checkExecutable(rootfs, argv0, p string, mountDests []string) error {
	for _, m := range mountDests {
		if p == m || strings.HasPrefix(p, strings.TrimSuffix(m, "/")+"/") {
			return nil
		}
	}
	full, err := securejoin.SecureJoin(rootfs, p)
	if err != nil {
		return withCode(ExitEngine, err)
	}
	fi, err := os.Stat(full)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &ExitError{Code: ExitNotFound, Err: fmt.Errorf("exec: %q: stat %s: %w", argv0, p, fs.ErrNotExist)}
	case err != nil:
		return withCode(ExitCannotRun, fmt.Errorf("exec: %q: %w", argv0, err))
	case fi.IsDir():
		return withCode(ExitCannotRun, fmt.Errorf("exec: %q: is a directory", argv0))
	case fi.Mode()&0o111 == 0:
		return withCode(ExitCannotRun, fmt.Errorf("exec: %q: permission denied", argv0))
	}
	return nil
}

func envValue(env []string, key string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, _ := strings.Cut(env[i], "="); k == key {
			return v
		}
	}
	return ""
}
