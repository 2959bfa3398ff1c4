package lifecycle

import (
	"os"
	"path"
	"path/filepath"
	"strings"
)

// cgroupRoot is where ctr-lite's containers' cgroups go without
// --cgroup-parent; test/leakcheck.sh looks there.
const cgroupRoot = "/ctr-lite"

// cgroupsPath is the container's cgroup: PARENT/ID with --cgroup-parent
// (checked clean and absolute by opts.Validate), as docker does, else
// /ctr-lite/ID.
func cgroupsPath(id, parent string) string {
	if parent == "" {
		parent = cgroupRoot
	}
	return path.Join(parent, id)
}

// removeCgroupParents removes the now empty directories of a
// --cgroup-parent under /ctr-lite that runc made and leaves behind (runc
// removes only the container's own). rmdir refuses a parent another
// container still uses, and parents outside /ctr-lite are the user's.
func removeCgroupParents(parent string) {
	if !strings.HasPrefix(parent, cgroupRoot+"/") {
		return
	}
	hierarchies, _ := filepath.Glob("/sys/fs/cgroup/*")
	hierarchies = append(hierarchies, "/sys/fs/cgroup")
	for _, h := range hierarchies {
		for p := parent; p != cgroupRoot; p = path.Dir(p) {
			if os.Remove(filepath.Join(h, p)) != nil {
				break
			}
		}
	}
}
