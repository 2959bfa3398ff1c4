package state

import (
	"path"
	"slices"
	"strings"
)

// CurrentRecordVersion is the RecordVersion create writes.
const CurrentRecordVersion = 1

// TmpfsOptions turns --tmpfs OPTIONS into mount options: docker's
// defaults (rw, noexec, nosuid, nodev) changed by the user's; the last of
// ro and rw wins.
func TmpfsOptions(user string) []string {
	opts := []string{"rw", "noexec", "nosuid", "nodev"}
	opposite := map[string]string{"exec": "noexec", "noexec": "exec", "suid": "nosuid", "nosuid": "suid",
		"dev": "nodev", "nodev": "dev", "ro": "rw", "rw": "ro"}
	for _, o := range strings.Split(user, ",") {
		if o == "" {
			continue
		}
		if other, ok := opposite[o]; ok {
			opts = slices.DeleteFunc(opts, func(x string) bool { return x == other || x == o })
			if o == "exec" || o == "suid" || o == "dev" {
				continue // the default's absence is the option
			}
		}
		opts = append(opts, o)
	}
	return opts
}

// upgrade fills the typed fields of a host config written before they
// existed (ctr-lite kept -v, --tmpfs and --security-opt as text then), so
// such a container starts with its mounts and security options. Records
// written since never need it: the text fields are kept only as given.
func (hc *HostConfig) upgrade() {
	if hc.RecordVersion != 0 {
		return
	}
	hc.RecordVersion = CurrentRecordVersion
	if hc.MountPoints == nil {
		for _, b := range hc.Binds {
			if m, ok := legacyBind(b); ok {
				hc.MountPoints = append(hc.MountPoints, m)
			}
		}
		for dest, opts := range hc.Tmpfs {
			m := MountPoint{Type: MountTmpfs, Source: "tmpfs", Destination: path.Clean(dest), Options: TmpfsOptions(opts)}
			m.ReadOnly = slices.Contains(m.Options, "ro")
			hc.MountPoints = append(hc.MountPoints, m)
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
