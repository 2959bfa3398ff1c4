package lifecycle

import (
	"fmt"
	"path"
	"strconv"
	"strings"

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
