package state

import (
	"path"
	"strings"
)

// upgrade fills the typed fields of a host config written before they
// existed (ctr-lite kept -v, --tmpfs and --security-opt as text then), so
// such a container starts with its mounts and security options. Records
// written since never need it: the text fields are kept only as given.
func (hc *HostConfig) upgrade() {
	if hc.MountPoints == nil {
		for _, b := range hc.Binds {
			if m, ok := legacyBind(b); ok {
				hc.MountPoints = append(hc.MountPoints, m)
			}
		}
		for dest, opts := range hc.Tmpfs {
			hc.MountPoints = append(hc.MountPoints, legacyTmpfs(dest, opts))
		}
	}
	if hc.NoNewPrivileges || hc.SeccompUnconfined || hc.SeccompProfile != nil || hc.AppArmorProfile != "" {
		return
	}
	for _, o := range hc.SecurityOpt {
		key, val, _ := strings.Cut(o, "=")
		switch {
		case key == "no-new-privileges":
			hc.NoNewPrivileges = true
		case key == "seccomp" && val == "unconfined":
			hc.SeccompUnconfined = true
		case key == "seccomp":
			hc.SeccompProfile = []byte(val) // stored inline then
		case key == "apparmor":
			hc.AppArmorProfile = val
		}
	}
}

// legacyBind reads a -v value as the old create stored it: checked then,
// with anonymous volumes already named.
func legacyBind(v string) (MountPoint, bool) {
	parts := strings.Split(v, ":")
	if len(parts) < 2 {
		return MountPoint{}, false
	}
	m := MountPoint{Type: MountBind, Source: parts[0], Destination: parts[1], ReadOnly: len(parts) > 2 && parts[2] == "ro"}
	if !strings.HasPrefix(m.Source, "/") {
		m.Type = MountVolume
	}
	return m, true
}

func legacyTmpfs(dest, opts string) MountPoint {
	out := []string{"rw", "noexec", "nosuid", "nodev"}
	drop := map[string]string{"exec": "noexec", "suid": "nosuid", "dev": "nodev", "ro": "rw"}
	for _, o := range strings.Split(opts, ",") {
		if o == "" {
			continue
		}
		if d, ok := drop[o]; ok {
			out = removeString(out, d)
			if o != "ro" {
				continue
			}
		}
		if !contains(out, o) {
			out = append(out, o)
		}
	}
	return MountPoint{Type: MountTmpfs, Source: "tmpfs", Destination: path.Clean(dest), Options: out, ReadOnly: contains(out, "ro")}
}

func removeString(list []string, s string) []string {
	var out []string
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
