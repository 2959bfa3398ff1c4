package lifecycle

import (
	"fmt"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"

	"github.com/ctr-lite/ctr-lite/state"
)

// checkWorkdir refuses a working directory among a process's file
// descriptors (/proc/self/fd, /proc/<pid>/fd, .../task/<tid>/fd): it would
// be an open directory of the runtime (CVE-2024-21626).
func checkWorkdir(dir string) error {
	if dir == "" {
		return nil
	}
	parts := strings.Split(path.Clean("/"+dir), "/")[1:] // "proc", who, ...
	if len(parts) < 3 || parts[0] != "proc" || !isProcess(parts[1]) {
		return nil
	}
	if parts[2] == "fd" || (len(parts) >= 5 && parts[2] == "task" && parts[4] == "fd") {
		return fmt.Errorf("workdir %q is inside /proc/*/fd: choose a directory of the image", dir)
	}
	return nil
}

// checkResolvedWorkdir resolves dir inside rootfs (its symlinks followed,
// never out of it) and checks where it lands: an image with /w ->
// /proc/self/fd/7 and WORKDIR /w passes the plain check, and an older runc
// would follow the link.
func checkResolvedWorkdir(rootfs, dir string) error {
	if dir == "" {
		return nil
	}
	real, err := securejoin.SecureJoin(rootfs, dir)
	if err != nil {
		return fmt.Errorf("resolve workdir %q: %w", dir, err)
	}
	rel, err := filepath.Rel(rootfs, real)
	if err != nil {
		return fmt.Errorf("resolve workdir %q: %w", dir, err)
	}
	if err := checkWorkdir("/" + rel); err != nil {
		return fmt.Errorf("workdir %q leads to /%s, inside /proc/*/fd: choose a directory of the image", dir, rel)
	}
	return nil
}

func isProcess(s string) bool {
	if s == "self" || s == "thread-self" {
		return true
	}
	_, err := strconv.Atoi(s)
	return err == nil
}

// AppArmorWarning says why an apparmor= option will have no effect.
func AppArmorWarning(hc *state.HostConfig) string {
	if hc.AppArmorProfile == "" || appArmorEnabled() {
		return ""
	}
	return fmt.Sprintf("AppArmor is not enabled on this host: --security-opt apparmor=%s has no effect", hc.AppArmorProfile)
}
