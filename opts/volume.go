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

// ParseVolume parses -v HOST-PATH:CONTAINER-PATH[:ro|rw],
// NAME:CONTAINER-PATH[:OPTIONS], or CONTAINER-PATH (an anonymous volume,
// Source "" until create names it). OPTIONS is a comma list of ro or rw
// and nocopy (docker's: the volume is not seeded from the image).
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

// ParseBind parses -v HOST:CONTAINER[:ro|rw] with both paths absolute.
func ParseBind(spec string) (state.MountPoint, error) { return parseBind(spec, true) }

func parseBind(spec string, hostPath bool) (state.MountPoint, error) {
	parts := strings.Split(spec, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return state.MountPoint{}, fmt.Errorf("invalid volume %q: want HOST-PATH:CONTAINER-PATH[:ro] or NAME:CONTAINER-PATH[:ro]", spec)
	}
	m := state.MountPoint{Type: state.MountBind, Source: parts[0], Destination: parts[1]}
	if len(parts) == 3 {
		for _, opt := range strings.Split(parts[2], ",") {
			switch {
			case opt == "ro":
				m.ReadOnly = true
			case opt == "rw" || opt == "":
			case opt == "nocopy" && !hostPath:
				m.NoCopy = true
			default:
				return state.MountPoint{}, fmt.Errorf("invalid volume %q: mode %q is not ro, rw or (for a named volume) nocopy", spec, opt)
			}
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
