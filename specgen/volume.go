package specgen

import (
	"fmt"
	"path"
	"strings"
)

// ParseBind parses -v HOST:CONTAINER[:ro|rw]. Both paths must be absolute;
// named volumes come with the volumes feature and are refused here.
func ParseBind(spec string) (Bind, error) {
	parts := strings.Split(spec, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return Bind{}, fmt.Errorf("invalid volume %q: want HOST-PATH:CONTAINER-PATH[:ro]", spec)
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
	if !path.IsAbs(b.Source) {
		return Bind{}, fmt.Errorf("invalid volume %q: host path %q must be absolute (named volumes are not supported yet)", spec, b.Source)
	}
	if !path.IsAbs(b.Destination) || path.Clean(b.Destination) == "/" {
		return Bind{}, fmt.Errorf("invalid volume %q: container path must be absolute and not /", spec)
	}
	b.Source, b.Destination = path.Clean(b.Source), path.Clean(b.Destination)
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
