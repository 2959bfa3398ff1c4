package opts

import (
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	units "github.com/docker/go-units"

	"github.com/ctr-lite/ctr-lite/state"
)

// ParseMount parses --mount in docker's CSV syntax (docker/cli's
// opts.MountOpt, whose keys, defaults and messages it follows: that
// package pulls docker's API client and OpenTelemetry into the binary for
// a 150-line parser). It returns the mount as docker's HostConfig.Mounts
// shows it and the MountPoint that start mounts.
func ParseMount(value string) (state.Mount, state.MountPoint, error) {
	m, err := parseMountFields(strings.TrimSpace(value))
	if err != nil {
		return m, state.MountPoint{}, err
	}
	mp, err := mountPoint(m)
	return m, mp, err
}

func parseMountFields(value string) (state.Mount, error) {
	m := state.Mount{Type: state.MountVolume} // docker's default
	if value == "" {
		return m, errors.New("value is empty")
	}
	fields, err := csv.NewReader(strings.NewReader(value)).Read()
	if err != nil {
		return m, err
	}
	for _, field := range fields {
		if err := setMountField(&m, field); err != nil {
			return m, err
		}
	}
	return m, exclusiveMountOptions(&m)
}

func setMountField(m *state.Mount, field string) error {
	key, val, hasValue := strings.Cut(field, "=")
	if k := strings.TrimSpace(key); k != key {
		return fmt.Errorf("invalid option '%s' in '%s': option should not have whitespace", k, field)
	}
	if hasValue {
		if v := strings.TrimSpace(val); v == "" {
			return fmt.Errorf("invalid value for '%s': value is empty", key)
		} else if v != val {
			return fmt.Errorf("invalid value for '%s' in '%s': value should not have whitespace", key, field)
		}
	}
	key = strings.ToLower(key)
	if !hasValue {
		switch key {
		case "readonly", "ro", "volume-nocopy", "bind-nonrecursive":
		default:
			return fmt.Errorf("invalid field '%s' must be a key=value pair", field)
		}
	}
	var err error
	switch key {
	case "type":
		m.Type = strings.ToLower(val)
	case "source", "src":
		m.Source = val
		if !filepath.IsAbs(val) && strings.HasPrefix(val, ".") {
			if abs, aerr := filepath.Abs(val); aerr == nil {
				m.Source = abs
			}
		}
	case "target", "dst", "destination":
		m.Target = val
	case "readonly", "ro":
		m.ReadOnly, err = parseBoolValue(key, val, hasValue)
	case "bind-propagation":
		bindOptions(m).Propagation = strings.ToLower(val)
	case "bind-nonrecursive": // docker 29 refuses it for bind-recursive=disabled; both are taken here
		bindOptions(m).NonRecursive, err = parseBoolValue(key, val, hasValue)
	case "bind-recursive":
		switch val {
		case "enabled":
		case "disabled":
			bindOptions(m).NonRecursive = true
		default:
			return fmt.Errorf(`invalid value for %s: %s (must be "enabled" or "disabled")`, key, val)
		}
	case "volume-nocopy":
		volumeOptions(m).NoCopy, err = parseBoolValue(key, val, hasValue)
	case "volume-label":
		vo := volumeOptions(m)
		vo.Labels = setValueOnMap(vo.Labels, val)
	case "volume-driver":
		volumeDriver(m).Name = val
	case "volume-opt":
		d := volumeDriver(m)
		d.Options = setValueOnMap(d.Options, val)
	case "tmpfs-size":
		n, serr := units.RAMInBytes(val)
		if serr != nil || n < 0 {
			return fmt.Errorf("invalid value for %s: %s", key, val)
		}
		tmpfsOptions(m).SizeBytes = n
	case "tmpfs-mode":
		n, perr := strconv.ParseUint(val, 8, 32)
		if perr != nil || n > 0o7777 {
			return fmt.Errorf("invalid value for %s: %s", key, val)
		}
		tmpfsOptions(m).Mode = uint32(n)
	default:
		return fmt.Errorf("unknown option '%s' in '%s'", key, field)
	}
	return err
}

// exclusiveMountOptions is docker/cli's validateExclusiveOptions.
func exclusiveMountOptions(m *state.Mount) error {
	switch {
	case m.Type == "":
		return errors.New("type is required")
	case m.Type != state.MountBind && m.BindOptions != nil:
		return fmt.Errorf("cannot mix 'bind-*' options with mount type '%s'", m.Type)
	case m.Type != state.MountVolume && m.VolumeOptions != nil:
		return fmt.Errorf("cannot mix 'volume-*' options with mount type '%s'", m.Type)
	case m.Type != state.MountTmpfs && m.TmpfsOptions != nil:
		return fmt.Errorf("cannot mix 'tmpfs-*' options with mount type '%s'", m.Type)
	}
	return nil
}

// mountPoint checks m as docker's daemon does (its messages: "invalid
// mount config for type ...") and converts it.
func mountPoint(m state.Mount) (state.MountPoint, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("invalid mount config for type %q: "+format, append([]any{m.Type}, a...)...)
	}
	if m.Target == "" {
		return state.MountPoint{}, bad("field Target must not be empty")
	}
	if !path.IsAbs(m.Target) || path.Clean(m.Target) == "/" {
		return state.MountPoint{}, bad("invalid mount path: '%s' mount path must be absolute and not /", m.Target)
	}
	mp := state.MountPoint{Type: m.Type, Source: m.Source, Destination: path.Clean(m.Target), ReadOnly: m.ReadOnly}
	switch m.Type {
	case state.MountBind:
		return bindMountPoint(m, mp, bad)
	case state.MountVolume:
		if m.Source != "" && !state.ValidName(m.Source) {
			return mp, bad("invalid volume name %q: use [a-zA-Z0-9][a-zA-Z0-9_.-]*", m.Source)
		}
		if vo := m.VolumeOptions; vo != nil {
			mp.NoCopy = vo.NoCopy
			if d := vo.DriverConfig; d != nil {
				if d.Name != "" && d.Name != "local" {
					return mp, bad("volume driver %q: only the local driver is supported", d.Name)
				}
				mp.VolumeOptions = d.Options
			}
		}
		return mp, nil
	case state.MountTmpfs:
		if m.Source != "" {
			return mp, bad("field Source must not be specified")
		}
		mp.Source = "tmpfs"
		mp.Options = state.TmpfsOptions(tmpfsData(m))
		return mp, nil
	}
	return mp, fmt.Errorf("invalid mount config: mount type unknown: %q (want bind, volume or tmpfs)", m.Type)
}

func bindMountPoint(m state.Mount, mp state.MountPoint, bad func(string, ...any) error) (state.MountPoint, error) {
	if m.Source == "" {
		return mp, bad("field Source must not be empty")
	}
	if !path.IsAbs(m.Source) {
		return mp, bad("invalid mount path: '%s' mount path must be absolute", m.Source)
	}
	// Unlike -v, --mount never creates a missing source (docker's).
	if _, err := os.Stat(m.Source); err != nil {
		return mp, bad("bind source path does not exist: %s", m.Source)
	}
	mp.Source = path.Clean(m.Source)
	if bo := m.BindOptions; bo != nil {
		if bo.Propagation != "" && !ValidPropagation(bo.Propagation) {
			return mp, bad("invalid propagation mode: %s: want rprivate, private, rshared, shared, rslave or slave", bo.Propagation)
		}
		mp.Propagation, mp.NonRecursive = bo.Propagation, bo.NonRecursive
	}
	return mp, nil
}

// tmpfsData is docker's ConvertTmpfsOptions: size and mode as tmpfs
// options, ro for a read-only mount.
func tmpfsData(m state.Mount) string {
	var o []string
	if t := m.TmpfsOptions; t != nil {
		if t.SizeBytes > 0 {
			o = append(o, "size="+strconv.FormatInt(t.SizeBytes, 10))
		}
		if t.Mode != 0 {
			o = append(o, "mode="+strconv.FormatUint(uint64(t.Mode), 8))
		}
	}
	if m.ReadOnly {
		o = append(o, "ro")
	}
	return strings.Join(o, ",")
}

// ValidPropagation says whether p is one of docker's propagation modes.
func ValidPropagation(p string) bool {
	switch p {
	case "rprivate", "private", "rshared", "shared", "rslave", "slave":
		return true
	}
	return false
}

// parseBoolValue is docker/cli's: no value is true; else 1, true, 0, false.
func parseBoolValue(key, val string, hasValue bool) (bool, error) {
	if !hasValue {
		return true, nil
	}
	switch val {
	case "1", "true":
		return true, nil
	case "0", "false":
		return false, nil
	}
	return false, fmt.Errorf(`invalid value for '%s': invalid boolean value (%q): must be one of "true", "1", "false", or "0" (default "true")`, key, val)
}

func bindOptions(m *state.Mount) *state.MountBindOptions {
	if m.BindOptions == nil {
		m.BindOptions = &state.MountBindOptions{}
	}
	return m.BindOptions
}

func volumeOptions(m *state.Mount) *state.MountVolumeOptions {
	if m.VolumeOptions == nil {
		m.VolumeOptions = &state.MountVolumeOptions{}
	}
	return m.VolumeOptions
}

func volumeDriver(m *state.Mount) *state.MountDriver {
	vo := volumeOptions(m)
	if vo.DriverConfig == nil {
		vo.DriverConfig = &state.MountDriver{}
	}
	return vo.DriverConfig
}

func tmpfsOptions(m *state.Mount) *state.MountTmpfsOptions {
	if m.TmpfsOptions == nil {
		m.TmpfsOptions = &state.MountTmpfsOptions{}
	}
	return m.TmpfsOptions
}

func setValueOnMap(target map[string]string, kv string) map[string]string {
	k, v, _ := strings.Cut(kv, "=")
	if k == "" {
		return target
	}
	if target == nil {
		target = map[string]string{}
	}
	target[k] = v
	return target
}
