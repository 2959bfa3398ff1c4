package lifecycle

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"github.com/moby/sys/user"
	"golang.org/x/sys/unix"

	"github.com/ctr-lite/ctr-lite/specgen"
)

// resolveUser maps -u NAME|UID[:GROUP|GID] to IDs using only the
// container's own /etc/passwd and /etc/group, each resolved inside rootfs.
func resolveUser(rootfs, spec string) (specgen.User, error) {
	passwd, closeP := openInRootfs(rootfs, "/etc/passwd")
	defer closeP()
	group, closeG := openInRootfs(rootfs, "/etc/group")
	defer closeG()
	defaults := &user.ExecUser{Uid: 0, Gid: 0, Home: "/"}
	u, err := user.GetExecUser(spec, defaults, passwd, group)
	if err != nil {
		return specgen.User{}, err // moby/sys/user names the user already
	}
	if err := checkIDs(spec, u); err != nil {
		return specgen.User{}, err
	}
	out := specgen.User{UID: uint32(u.Uid), GID: uint32(u.Gid), Home: u.Home}
	for _, g := range u.Sgids {
		if g != u.Gid {
			out.AdditionalGids = append(out.AdditionalGids, uint32(g))
		}
	}
	return out, nil
}

// addGroups appends --group-add's groups to u's: names resolved in the
// container's /etc/group, GIDs as they are, as docker's.
func addGroups(rootfs string, u *specgen.User, groups []string) error {
	if len(groups) == 0 {
		return nil
	}
	group, closeG := openInRootfs(rootfs, "/etc/group")
	defer closeG()
	gids, err := user.GetAdditionalGroups(groups, group)
	if err != nil {
		return fmt.Errorf("--group-add %s: %w", strings.Join(groups, ","), err)
	}
	sort.Ints(gids)
	for _, g := range gids {
		if !slices.Contains(u.AdditionalGids, uint32(g)) {
			u.AdditionalGids = append(u.AdditionalGids, uint32(g))
		}
	}
	return nil
}

// checkIDs refuses IDs that do not fit the kernel's 32-bit IDs as signed
// numbers: cast to uint32 they would wrap (4294967296 becomes root), the
// bug of CVE-2024-40635.
func checkIDs(spec string, u *user.ExecUser) error {
	ids := append([]int{u.Uid, u.Gid}, u.Sgids...)
	for _, id := range ids {
		if id < 0 || id > specgen.MaxID {
			return fmt.Errorf("user %q: ID %d is out of range (0 to %d)", spec, id, specgen.MaxID)
		}
	}
	return nil
}

// openInRootfs opens a file inside rootfs; a missing one reads as empty.
// The lookup is fd-based (openat2 RESOLVE_IN_ROOT where the kernel has it),
// so a container that swaps a path component for a symlink between our
// check and our open still cannot make us read a host file.
func openInRootfs(rootfs, p string) (io.Reader, func()) {
	handle, err := pathrs.OpenInRoot(rootfs, p)
	if err != nil {
		return nil, func() {}
	}
	defer handle.Close()
	f, err := pathrs.Reopen(handle, unix.O_RDONLY|unix.O_CLOEXEC)
	if err != nil {
		return nil, func() {}
	}
	return f, func() { f.Close() }
}
