package opts

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	units "github.com/docker/go-units"

	"github.com/ctr-lite/ctr-lite/state"
)

// ParseVolume parses -v HOST-PATH:CONTAINER-PATH[:OPTIONS],
// NAME:CONTAINER-PATH[:OPTIONS], or CONTAINER-PATH (an anonymous volume,
// Source "" until create names it). OPTIONS are docker's (setVolumeMode):
// ro or rw, propagation, z or Z, and nocopy (the volume is not seeded
// from the image).
func ParseVolume(spec string) (state.MountPoint, error) {
	if path.IsAbs(spec) && !strings.Contains(spec, ":") {
		if path.Clean(spec) == "/" {
			return state.MountPoint{}, fmt.Errorf("invalid volume %q: container path must not be /", spec)
		}
		return state.MountPoint{Type: state.MountVolume, Destination: path.Clean(spec)}, nil
	}
	src, _, _ := strings.Cut(spec, ":")
	if src != "" && !strings.HasPrefix(src, "/") && !strings.HasPrefix(src, ".") {
		m, err := parseBind(spec, false)
		m.Type = state.MountVolume
		if err == nil && !state.ValidName(m.Source) {
			return state.MountPoint{}, fmt.Errorf("invalid volume %q: a volume name is [a-zA-Z0-9][a-zA-Z0-9_.-]*, a host path starts with /", spec)
		}
		return m, err
	}
	return ParseBind(spec)
}

// setVolumeMode applies -v's OPTIONS, a comma list as docker's: at most
// one of ro and rw, one propagation mode, one of z and Z (accepted and
// ignored: SELinux is off here, as docker does on a host without it),
// and nocopy for a named volume.
func setVolumeMode(m *state.MountPoint, mode string, hostPath bool) error {
	var rw, prop, label int
	for _, opt := range strings.Split(mode, ",") {
		switch {
		case opt == "ro" || opt == "rw":
			rw++
			m.ReadOnly = opt == "ro"
		case opt == "z" || opt == "Z":
			label++
		case ValidPropagation(opt):
			prop++
			m.Propagation = opt
		case opt == "nocopy" && !hostPath:
			m.NoCopy = true
		case opt == "":
		default:
			return fmt.Errorf("invalid mode: %s: want ro or rw, z or Z, a propagation (rprivate, private, rshared, shared, rslave, slave) and, for a named volume, nocopy", opt)
		}
	}
	if rw > 1 || prop > 1 || label > 1 {
		return fmt.Errorf("invalid mode: %s: more than one of a kind (ro/rw, z/Z, propagation)", mode)
	}
	m.Mode = mode
	return nil
}

// ParseBind parses -v HOST:CONTAINER[:OPTIONS] with both paths absolute.
func ParseBind(spec string) (state.MountPoint, error) { return parseBind(spec, true) }

func parseBind(spec string, hostPath bool) (state.MountPoint, error) {
	parts := strings.Split(spec, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return state.MountPoint{}, fmt.Errorf("invalid volume %q: want HOST-PATH:CONTAINER-PATH[:ro] or NAME:CONTAINER-PATH[:ro]", spec)
	}
	m := state.MountPoint{Type: state.MountBind, Source: parts[0], Destination: parts[1]}
	if len(parts) == 3 {
		if err := setVolumeMode(&m, parts[2], hostPath); err != nil {
			return state.MountPoint{}, fmt.Errorf("invalid volume %q: %w", spec, err)
		}
	}
	if hostPath && !path.IsAbs(m.Source) {
		return state.MountPoint{}, fmt.Errorf("invalid volume %q: host path %q must be absolute", spec, m.Source)
	}
	if !path.IsAbs(m.Destination) || path.Clean(m.Destination) == "/" {
		return state.MountPoint{}, fmt.Errorf("invalid volume %q: container path must be absolute and not /", spec)
	}
	m.Destination = path.Clean(m.Destination)
	if hostPath {
		m.Source = path.Clean(m.Source)
	}
	return m, nil
}

// ParseTmpfs parses --tmpfs PATH[:OPTIONS] into a tmpfs mount with
// docker's defaults (noexec, nosuid, nodev) changed by the options; it
// also returns OPTIONS as given. Options are checked as docker's
// ParseTmpfsOptions does: known flags, size and mode with valid values.
func ParseTmpfs(spec string) (m state.MountPoint, given string, err error) {
	dest, given, _ := strings.Cut(spec, ":")
	if !path.IsAbs(dest) || path.Clean(dest) == "/" {
		return m, "", fmt.Errorf("invalid tmpfs %q: want an absolute container path other than /", spec)
	}
	for _, o := range strings.Split(given, ",") {
		if err := checkTmpfsOption(o); err != nil {
			return m, "", fmt.Errorf("invalid tmpfs %q: %w", spec, err)
		}
	}
	m = state.MountPoint{Type: state.MountTmpfs, Source: "tmpfs", Destination: path.Clean(dest), Options: state.TmpfsOptions(given)}
	m.ReadOnly = slices.Contains(m.Options, "ro")
	return m, given, nil
}

// tmpfsFlags are the tmpfs options without a value that docker accepts.
var tmpfsFlags = map[string]bool{"": true, "rw": true, "ro": true, "exec": true, "noexec": true, "suid": true,
	"nosuid": true, "dev": true, "nodev": true, "atime": true, "noatime": true, "diratime": true, "nodiratime": true,
	"relatime": true, "norelatime": true, "strictatime": true, "nostrictatime": true, "sync": true, "async": true}

func checkTmpfsOption(o string) error {
	key, val, hasVal := strings.Cut(o, "=")
	if !hasVal {
		if !tmpfsFlags[key] {
			return fmt.Errorf("unknown option %q", o)
		}
		return nil
	}
	switch key {
	case "size":
		if n, err := units.RAMInBytes(val); err != nil || n < 0 {
			return fmt.Errorf("size %q: want a size like 64m", val)
		}
	case "mode":
		if _, err := strconv.ParseUint(val, 8, 32); err != nil {
			return fmt.Errorf("mode %q: want octal, like 1777", val)
		}
	case "uid", "gid", "nr_inodes", "nr_blocks":
		if _, err := strconv.ParseUint(val, 10, 32); err != nil {
			return fmt.Errorf("%s %q: want a number", key, val)
		}
	default:
		return fmt.Errorf("unknown option %q", o)
	}
	return nil
}
