package opts

import (
	"fmt"
	"path"
	"strings"

	"github.com/ctr-lite/ctr-lite/state"
)

// ParseVolume parses -v HOST-PATH:CONTAINER-PATH[:ro|rw],
// NAME:CONTAINER-PATH[:ro|rw], or CONTAINER-PATH (an anonymous volume,
// Source "" until create names it).
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
		switch parts[2] {
		case "ro":
			m.ReadOnly = true
		case "rw", "":
		default:
			return state.MountPoint{}, fmt.Errorf("invalid volume %q: mode %q is not ro or rw", spec, parts[2])
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
// also returns OPTIONS as given.
func ParseTmpfs(spec string) (m state.MountPoint, given string, err error) {
	dest, given, _ := strings.Cut(spec, ":")
	if !path.IsAbs(dest) || path.Clean(dest) == "/" {
		return m, "", fmt.Errorf("invalid tmpfs %q: want an absolute container path other than /", spec)
	}
	m = state.MountPoint{Type: state.MountTmpfs, Source: "tmpfs", Destination: path.Clean(dest), Options: tmpfsOptions(given)}
	for _, o := range m.Options {
		if o == "ro" {
			m.ReadOnly = true
		}
	}
	return m, given, nil
}

func tmpfsOptions(user string) []string {
	opts := []string{"rw", "noexec", "nosuid", "nodev"}
	if user == "" {
		return opts
	}
	for _, o := range strings.Split(user, ",") {
		switch o {
		case "exec":
			opts = removeOpt(opts, "noexec")
		case "suid":
			opts = removeOpt(opts, "nosuid")
		case "dev":
			opts = removeOpt(opts, "nodev")
		case "ro":
			opts = append(removeOpt(opts, "rw"), o)
		case "rw", "noexec", "nosuid", "nodev", "":
		default:
			opts = append(opts, o)
		}
	}
	return opts
}

func removeOpt(opts []string, o string) []string {
	out := opts[:0:0]
	for _, x := range opts {
		if x != o {
			out = append(out, x)
		}
	}
	return out
}
