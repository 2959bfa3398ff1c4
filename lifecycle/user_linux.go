package lifecycle

import (
	"io"
	"os"

	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/moby/sys/user"

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
	out := specgen.User{UID: uint32(u.Uid), GID: uint32(u.Gid), Home: u.Home}
	for _, g := range u.Sgids {
		if g != u.Gid {
			out.AdditionalGids = append(out.AdditionalGids, uint32(g))
		}
	}
	return out, nil
}

// openInRootfs opens a file inside rootfs; a missing one reads as empty.
func openInRootfs(rootfs, p string) (io.Reader, func()) {
	full, err := securejoin.SecureJoin(rootfs, p)
	if err != nil {
		return nil, func() {}
	}
	f, err := os.Open(full)
	if err != nil {
		return nil, func() {}
	}
	return f, func() { f.Close() }
}
