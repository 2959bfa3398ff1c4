package opts

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"os"
	"path"
	"strconv"
	"strings"

	units "github.com/docker/go-units"

	"github.com/ctr-lite/ctr-lite/netsetup"
	"github.com/ctr-lite/ctr-lite/state"
)

func parseBytes(flag, v string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	n, err := units.RAMInBytes(v)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("invalid %s %q: want a size like 512m or 1g", flag, v)
	}
	return n, nil
}

func parseNanoCPUs(v string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f <= 0 || f > 1e6 || math.IsNaN(f) {
		return 0, fmt.Errorf("invalid --cpus %q: want a positive number like 1.5", v)
	}
	return int64(f * 1e9), nil
}

// checkCpuset accepts docker's lists: "0", "0-3", "0,2,4-5".
func checkCpuset(flag, v string) error {
	if v == "" {
		return nil
	}
	for _, part := range strings.Split(v, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err1 := strconv.ParseUint(lo, 10, 16)
		b, err2 := a, error(nil)
		if isRange {
			b, err2 = strconv.ParseUint(hi, 10, 16)
		}
		if err1 != nil || err2 != nil || b < a {
			return fmt.Errorf("invalid %s %q: want numbers and ranges like 0-2,4", flag, v)
		}
	}
	return nil
}

// ParseUlimit parses --ulimit NAME=SOFT[:HARD]; -1 is unlimited.
func ParseUlimit(v string) (state.Ulimit, error) {
	u, err := units.ParseUlimit(v)
	if err != nil {
		return state.Ulimit{}, fmt.Errorf("invalid --ulimit %q: %w (want NAME=SOFT[:HARD], e.g. nofile=1024:2048)", v, err)
	}
	if _, err := u.GetRlimit(); err != nil {
		return state.Ulimit{}, fmt.Errorf("invalid --ulimit %q: %w", v, err)
	}
	if u.Soft < -1 || u.Hard < -1 {
		return state.Ulimit{}, fmt.Errorf("invalid --ulimit %q: a limit is a number, or -1 for unlimited", v)
	}
	return state.Ulimit{Name: u.Name, Soft: u.Soft, Hard: u.Hard}, nil
}

// ParseDevice parses --device HOST[:CONTAINER[:PERMS]]; PERMS is any of
// r, w and m.
func ParseDevice(v string) (state.DeviceMapping, error) {
	parts := strings.Split(v, ":")
	d := state.DeviceMapping{PathOnHost: parts[0], PathInContainer: parts[0], CgroupPermissions: "rwm"}
	switch len(parts) {
	case 3:
		d.PathInContainer, d.CgroupPermissions = parts[1], parts[2]
	case 2:
		if validPerms(parts[1]) {
			d.CgroupPermissions = parts[1]
		} else {
			d.PathInContainer = parts[1]
		}
	case 1:
	default:
		return d, fmt.Errorf("invalid --device %q: want HOST[:CONTAINER[:PERMS]]", v)
	}
	if !path.IsAbs(d.PathOnHost) || !path.IsAbs(d.PathInContainer) || !validPerms(d.CgroupPermissions) {
		return d, fmt.Errorf("invalid --device %q: want absolute paths and permissions from r, w, m", v)
	}
	d.PathInContainer = path.Clean(d.PathInContainer)
	return d, nil
}

func validPerms(p string) bool {
	if p == "" || len(p) > 3 {
		return false
	}
	for _, c := range p {
		if !strings.ContainsRune("rwm", c) {
			return false
		}
	}
	return true
}

// ParseSecurityOpt applies one --security-opt to hc: no-new-privileges,
// seccomp=unconfined|FILE (the file is read now, as docker's client
// does), apparmor=PROFILE, systempaths=unconfined, and label=... (SELinux
// labels: accepted and ignored, as docker does with SELinux off).
func ParseSecurityOpt(v string, hc *state.HostConfig) error {
	key, val, hasVal := strings.Cut(v, "=")
	if !hasVal {
		key, val, hasVal = strings.Cut(v, ":") // docker's older form
	}
	switch key {
	case "no-new-privileges":
		b, err := strconv.ParseBool(orTrue(val, hasVal))
		if err != nil {
			return fmt.Errorf("invalid --security-opt %q: want no-new-privileges[=true|false]", v)
		}
		hc.NoNewPrivileges = b
	case "seccomp":
		switch val {
		case "":
			return fmt.Errorf("invalid --security-opt %q: want seccomp=unconfined or seccomp=PROFILE.json", v)
		case "unconfined":
			hc.SeccompUnconfined, hc.SeccompProfile = true, nil
		default:
			profile, err := readSeccompProfile(val)
			if err != nil {
				return err
			}
			hc.SeccompUnconfined, hc.SeccompProfile = false, profile
			v = "seccomp=" + string(profile) // inline, as docker's client writes it
		}
	case "apparmor":
		hc.AppArmorProfile = val
	case "systempaths":
		if val != "unconfined" {
			return fmt.Errorf("invalid --security-opt %q: want systempaths=unconfined", v)
		}
		hc.SystemPathsUnconfined = true
	case "label":
		if val == "" {
			return fmt.Errorf("invalid --security-opt %q: want label=disable|user:U|role:R|type:T|level:L", v)
		}
	default:
		return fmt.Errorf("unsupported --security-opt %q: ctr-lite knows no-new-privileges, seccomp=, apparmor=, systempaths= and label=", v)
	}
	hc.SecurityOpt = append(hc.SecurityOpt, v)
	return nil
}

// readSeccompProfile reads a profile file and checks it is a JSON object,
// compacted as docker's client sends it; a bad file fails now, not at
// start.
func readSeccompProfile(file string) (json.RawMessage, error) {
	body, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read seccomp profile %q: %w", file, err)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, body); err != nil || !bytes.HasPrefix(buf.Bytes(), []byte("{")) {
		return nil, fmt.Errorf("read seccomp profile %q: not a JSON seccomp profile (want docker's format)", file)
	}
	return buf.Bytes(), nil
}

func orTrue(v string, set bool) string {
	if !set {
		return "true"
	}
	return v
}

func checkIP(flag, s string) error {
	if _, err := netip.ParseAddr(s); err != nil {
		return fmt.Errorf("invalid %s %q: want an IP address", flag, s)
	}
	return nil
}

// checkExtraHost accepts --add-host NAME:IP, NAME=IP and NAME:host-gateway.
func checkExtraHost(s string) error {
	_, err := netsetup.ParseExtraHosts([]string{s}, "192.0.2.1")
	return err
}
