package specgen

import (
	"fmt"
	"path"
	"strings"
)

// Volume is a parsed -v: a host path, a named volume, or (Source "") an
// anonymous volume.
type Volume struct {
	Bind
	Named bool // Source is a volume name, not a host path
}

// ParseVolume parses -v HOST-PATH:CONTAINER-PATH[:ro|rw],
// NAME:CONTAINER-PATH[:ro|rw], or CONTAINER-PATH (an anonymous volume).
func ParseVolume(spec string) (Volume, error) {
	if path.IsAbs(spec) && !strings.Contains(spec, ":") {
		if path.Clean(spec) == "/" {
			return Volume{}, fmt.Errorf("invalid volume %q: container path must not be /", spec)
		}
		return Volume{Bind: Bind{Destination: path.Clean(spec)}, Named: true}, nil
	}
	src, _, _ := strings.Cut(spec, ":")
	if src != "" && !strings.HasPrefix(src, "/") && !strings.HasPrefix(src, ".") {
		b, err := parseBind(spec, false)
		return Volume{Bind: b, Named: true}, err
	}
	b, err := ParseBind(spec)
	return Volume{Bind: b}, err
}

// ParseBind parses -v HOST:CONTAINER[:ro|rw] with both paths absolute.
func ParseBind(spec string) (Bind, error) { return parseBind(spec, true) }

func parseBind(spec string, hostPath bool) (Bind, error) {
	parts := strings.Split(spec, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return Bind{}, fmt.Errorf("invalid volume %q: want HOST-PATH:CONTAINER-PATH[:ro] or NAME:CONTAINER-PATH[:ro]", spec)
	}
	b := Bind{Source: parts[0], Destination: parts[1]}
	if len(parts) == 3 {
		switch parts[2] {
		case "ro":
			b.ReadOnly = true
		case "rw", "":
		default:
			return Bind{}, fmt.Errorf("invalid volume %q: mode %q is not ro or rw", spec, parts[2])
		}
	}
	if hostPath && !path.IsAbs(b.Source) {
		return Bind{}, fmt.Errorf("invalid volume %q: host path %q must be absolute", spec, b.Source)
	}
	if !path.IsAbs(b.Destination) || path.Clean(b.Destination) == "/" {
		return Bind{}, fmt.Errorf("invalid volume %q: container path must be absolute and not /", spec)
	}
	b.Destination = path.Clean(b.Destination)
	if hostPath {
		b.Source = path.Clean(b.Source)
	}
	return b, nil
}

// ParseTmpfs parses --tmpfs PATH[:OPTIONS].
func ParseTmpfs(spec string) (dest, opts string, err error) {
	dest, opts, _ = strings.Cut(spec, ":")
	if !path.IsAbs(dest) || path.Clean(dest) == "/" {
		return "", "", fmt.Errorf("invalid tmpfs %q: want an absolute container path other than /", spec)
	}
	return path.Clean(dest), opts, nil
}
