package opts

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/ctr-lite/ctr-lite/state"
)

// Value is a flag that parses its text into a typed field as it is set
// (the pflag.Value interface, so cobra takes it as it is).
type Value interface {
	String() string
	Set(string) error
	Type() string
}

// value adapts a parse function writing into a field to a Value.
type value struct {
	typ  string
	set  func(string) error
	show func() string
}

func (v *value) Set(s string) error { return v.set(s) }
func (v *value) Type() string       { return v.typ }
func (v *value) String() string {
	if v.show == nil {
		return ""
	}
	return v.show()
}

// Bytes is a size such as 512m or 1g, in bytes.
func Bytes(p *int64, flag string) Value {
	return &value{typ: "bytes", set: func(s string) (err error) { *p, err = parseBytes(flag, s); return err }}
}

// SwapBytes is --memory-swap: a size, or -1 for unlimited swap.
func SwapBytes(p *int64) Value {
	return &value{typ: "bytes", set: func(s string) (err error) {
		if s == "-1" {
			*p = -1
			return nil
		}
		*p, err = parseBytes("--memory-swap", s)
		return err
	}}
}

// CPUs is --cpus: a decimal number of CPUs, kept as nano-CPUs.
func CPUs(p *int64) Value {
	return &value{typ: "decimal", set: func(s string) (err error) { *p, err = parseNanoCPUs(s); return err }}
}

// Cpuset is --cpuset-cpus (or -mems): a list such as 0-2,4.
func Cpuset(p *string, flag string) Value {
	return &value{typ: "string", set: func(s string) error {
		if err := checkCpuset(flag, s); err != nil {
			return err
		}
		*p = s
		return nil
	}}
}

// Swappiness is --memory-swappiness: 0-100, or -1 to leave it unset.
func Swappiness(p **int64) Value {
	return &value{typ: "int", set: func(s string) error {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < -1 || n > 100 {
			return fmt.Errorf("invalid --memory-swappiness %q: want 0 to 100, or -1 for the host's", s)
		}
		*p = nil
		if n >= 0 {
			*p = &n
		}
		return nil
	}}
}

// PidsLimit is --pids-limit: 0 leaves it unset (nil), as docker's CLI
// does; -1 is no limit.
func PidsLimit(p **int64) Value {
	return &value{typ: "int", set: func(s string) error {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("invalid --pids-limit %q: want a whole number (-1: unlimited)", s)
		}
		*p = nil
		if n != 0 {
			*p = &n
		}
		return nil
	}}
}

// OptionalBool is a bool flag whose field stays nil unless it is given
// (docker's *bool fields, null in inspect).
func OptionalBool(p **bool, flag string) Value {
	return &value{typ: "bool", set: func(s string) error {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("invalid %s %q: want true or false", flag, s)
		}
		*p = &b
		return nil
	}}
}

// BlkioWeight is --blkio-weight: 10-1000, or 0 for unset.
func BlkioWeight(p *uint16) Value {
	return &value{typ: "uint16", set: func(s string) error {
		n, err := strconv.ParseUint(s, 10, 16)
		if err != nil || (n != 0 && (n < 10 || n > 1000)) {
			return fmt.Errorf("invalid --blkio-weight %q: want 10 to 1000 (0 for unset)", s)
		}
		*p = uint16(n)
		return nil
	}}
}

// Ulimits appends --ulimit NAME=SOFT[:HARD].
func Ulimits(p *[]state.Ulimit) Value {
	return &value{typ: "ulimit", set: func(s string) error {
		u, err := ParseUlimit(s)
		if err == nil {
			*p = append(*p, u)
		}
		return err
	}}
}

// Devices appends --device HOST[:CONTAINER[:PERMS]].
func Devices(p *[]state.DeviceMapping) Value {
	return &value{typ: "list", set: func(s string) error {
		d, err := ParseDevice(s)
		if err == nil {
			*p = append(*p, d)
		}
		return err
	}}
}

// SecurityOpts applies each --security-opt to hc.
func SecurityOpts(hc *state.HostConfig) Value {
	return &value{typ: "list", set: func(s string) error { return ParseSecurityOpt(s, hc) }}
}

// Volumes appends -v to hc's Binds (as given) and MountPoints.
func Volumes(hc *state.HostConfig) Value {
	return &value{typ: "list", set: func(s string) error {
		m, err := ParseVolume(s)
		if err != nil {
			return err
		}
		if m.Source != "" || m.Type != state.MountVolume { // docker keeps "-v /path" out of Binds
			hc.Binds = append(hc.Binds, s)
		}
		hc.MountPoints = append(hc.MountPoints, m)
		return nil
	}}
}

// Mounts appends --mount to hc's Mounts (as given) and MountPoints.
func Mounts(hc *state.HostConfig) Value {
	return &value{typ: "mount", set: func(s string) error {
		m, mp, err := ParseMount(s)
		if err != nil {
			return err
		}
		hc.Mounts = append(hc.Mounts, m)
		hc.MountPoints = append(hc.MountPoints, mp)
		return nil
	}}
}

// Tmpfs adds --tmpfs PATH[:OPTIONS] to hc's Tmpfs (as given) and
// MountPoints.
func Tmpfs(hc *state.HostConfig) Value {
	return &value{typ: "list", set: func(s string) error {
		m, given, err := ParseTmpfs(s)
		if err != nil {
			return err
		}
		if hc.Tmpfs == nil {
			hc.Tmpfs = map[string]string{}
		}
		if _, again := hc.Tmpfs[m.Destination]; again { // docker keeps the last
			hc.MountPoints = slices.DeleteFunc(hc.MountPoints, func(x state.MountPoint) bool {
				return x.Type == state.MountTmpfs && x.Destination == m.Destination
			})
		}
		hc.Tmpfs[m.Destination] = given
		hc.MountPoints = append(hc.MountPoints, m)
		return nil
	}}
}

// Restart is --restart.
func Restart(p *state.RestartPolicy) Value {
	return &value{typ: "string", set: func(s string) (err error) { *p, err = ParseRestartPolicy(s); return err },
		show: func() string { return p.Name }}
}

// Labels sets -l KEY=VALUE in *p.
func Labels(p *map[string]string) Value { return keyValues(p, "label") }

// DriverOpts sets a network driver's -o KEY=VALUE (network create).
func DriverOpts(p *map[string]string) Value { return keyValues(p, "opt") }

// Annotations sets an --annotation KEY=VALUE (OCI spec annotations).
func Annotations(p *map[string]string) Value { return keyValues(p, "annotation") }

// LogOpts sets a --log-opt KEY=VALUE.
func LogOpts(p *map[string]string) Value { return keyValues(p, "--log-opt") }

// VolumeOpts sets a volume create --opt KEY=VALUE (driver options).
func VolumeOpts(p *map[string]string) Value { return keyValues(p, "--opt") }

func keyValues(p *map[string]string, what string) Value {
	return &value{typ: "list", set: func(s string) error {
		k, v, _ := strings.Cut(s, "=")
		if k == "" {
			return fmt.Errorf("invalid %s %q: want KEY=VALUE", what, s)
		}
		if *p == nil {
			*p = map[string]string{}
		}
		(*p)[k] = v
		return nil
	}}
}

// Capabilities appends --cap-add/--cap-drop names, checked and
// normalised to CAP_X (ALL stays ALL).
func Capabilities(p *[]string) Value {
	return &value{typ: "list", set: func(s string) error {
		c, err := NormalizeCapability(s)
		if err == nil {
			*p = append(*p, c)
		}
		return err
	}}
}

// Networks is --network, repeatable as in docker 25: the first sets the
// network mode (eth0), each later one is joined after it (eth1, ...), as
// network connect would. Only user-defined networks can be repeated.
func Networks(hc *state.HostConfig) Value {
	set := false
	return &value{typ: "network", set: func(s string) error {
		if !set {
			set, hc.NetworkMode = true, s
			return nil
		}
		for _, mode := range []string{hc.NetworkMode, s} {
			if mode == "bridge" || mode == "host" || mode == "none" || strings.HasPrefix(mode, "container:") {
				return fmt.Errorf("invalid --network %q: only user-defined networks can be given more than once (%s is a network mode)", s, mode)
			}
		}
		if s == hc.NetworkMode || slices.ContainsFunc(hc.Networks, func(a state.NetworkAttachment) bool { return a.Name == s }) {
			return fmt.Errorf("invalid --network %q: given twice", s)
		}
		hc.Networks = append(hc.Networks, state.NetworkAttachment{Name: s})
		return nil
	}, show: func() string { return hc.NetworkMode }}
}

// IPs appends an IP address (--dns).
func IPs(p *[]string, flag string) Value {
	return &value{typ: "list", set: func(s string) error {
		if err := checkIP(flag, s); err != nil {
			return err
		}
		*p = append(*p, s)
		return nil
	}}
}

// IP is one IP address (--ip).
func IP(p *string, flag string) Value {
	return &value{typ: "string", set: func(s string) error {
		if err := checkIP(flag, s); err != nil {
			return err
		}
		*p = s
		return nil
	}, show: func() string { return *p }}
}

// MAC is --mac-address: a unicast Ethernet (48-bit) address.
func MAC(p *string) Value {
	return &value{typ: "string", set: func(s string) error {
		mac, err := net.ParseMAC(s)
		if err != nil || len(mac) != 6 || mac[0]&1 == 1 {
			return fmt.Errorf("invalid --mac-address %q: want a unicast Ethernet address such as 02:42:ac:11:00:09", s)
		}
		*p = mac.String()
		return nil
	}, show: func() string { return *p }}
}

// Words appends a value that becomes one word of a file line (--dns-search,
// --dns-option): no spaces or line breaks, which would add lines.
func Words(p *[]string, flag string) Value {
	return &value{typ: "list", set: func(s string) error {
		if s == "" || strings.ContainsAny(s, " \t\r\n") {
			return fmt.Errorf("invalid %s %q: want one word, without spaces or line breaks", flag, s)
		}
		*p = append(*p, s)
		return nil
	}}
}

// ExtraHosts appends --add-host NAME:IP.
func ExtraHosts(p *[]string) Value {
	return &value{typ: "list", set: func(s string) error {
		if err := checkExtraHost(s); err != nil {
			return err
		}
		*p = append(*p, s)
		return nil
	}}
}

// Ports adds -p to *p.
func Ports(p *state.PortMap) Value {
	return &value{typ: "list", set: func(s string) error { return ParsePublish(s, p) }}
}

// SdNotify sets --sdnotify: container, conmon, healthy or ignore.
func SdNotify(p *string) Value {
	return &value{typ: "string", set: func(s string) error {
		switch s {
		case state.SdNotifyContainer, state.SdNotifyConmon, state.SdNotifyHealthy, state.SdNotifyIgnore:
			*p = s
			return nil
		}
		return fmt.Errorf("invalid --sdnotify %q: use container, conmon, healthy or ignore", s)
	}, show: func() string { return *p }}
}

// Signal is a signal name (HUP, SIGHUP) or number, kept as typed once
// it is known to be one.
func Signal(p *string) Value {
	return &value{typ: "string", set: func(s string) error {
		if SignalNumber(s) == 0 {
			return fmt.Errorf("invalid signal %q: use a name such as TERM, USR1, or a number", s)
		}
		*p = s
		return nil
	}, show: func() string { return *p }}
}

// OptionalInt is an int whose absence matters: nil until the flag is set.
func OptionalInt(p **int, flag string) Value {
	return &value{typ: "int", set: func(s string) error {
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("invalid %s %q: want a whole number", flag, s)
		}
		*p = &n
		return nil
	}, show: func() string {
		if *p == nil {
			return ""
		}
		return strconv.Itoa(**p)
	}}
}

// LabelsMatch says whether have holds every filter in want, each KEY or
// KEY=VALUE (docker's label filter).
func LabelsMatch(want []string, have map[string]string) bool {
	for _, w := range want {
		k, v, withValue := strings.Cut(w, "=")
		got, ok := have[k]
		if !ok || (withValue && got != v) {
			return false
		}
	}
	return true
}
