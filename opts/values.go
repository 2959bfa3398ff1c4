package opts

import (
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

// Func is a Value that calls set for each occurrence of the flag.
func Func(typ string, set func(string) error) Value { return &value{typ: typ, set: set} }

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
		hc.Binds = append(hc.Binds, s)
		hc.MountPoints = append(hc.MountPoints, m)
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
func Labels(p *map[string]string) Value {
	return &value{typ: "list", set: func(s string) error {
		k, v, err := parseLabel(s)
		if err != nil {
			return err
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

// Int64 is a whole number flag with a check.
func Int64(p *int64, check func(int64) error) Value {
	return &value{typ: "int", set: func(s string) error {
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return errNumber
		}
		if check != nil {
			if err := check(n); err != nil {
				return err
			}
		}
		*p = n
		return nil
	}, show: func() string { return strconv.FormatInt(*p, 10) }}
}
