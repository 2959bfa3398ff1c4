package netsetup

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
)

// PortMapping publishes a container port on the host.
type PortMapping struct {
	HostIP        string `json:",omitempty"` // "" means every host address
	HostPort      uint16
	ContainerPort uint16
	Proto         string // tcp, udp or sctp
}

// Key is docker's "80/tcp" form.
func (p PortMapping) Key() string { return fmt.Sprintf("%d/%s", p.ContainerPort, p.Proto) }

// ParsePorts parses -p values: [hostIP:][hostPort[-end]:]containerPort[-end][/tcp|udp|sctp].
// Without a host port ("80", or "127.0.0.1::80") a free one is chosen at
// start, as docker does: HostPort is 0 until then.
func ParsePorts(specs []string) ([]PortMapping, error) {
	var out []PortMapping
	for _, s := range specs {
		ms, err := parsePort(s)
		if err != nil {
			return nil, err
		}
		out = append(out, ms...)
	}
	return out, nil
}

func parsePort(spec string) ([]PortMapping, error) {
	bad := func(why string) error {
		return fmt.Errorf("invalid port %q: %s; want [HOST-IP:][HOST-PORT:]CONTAINER-PORT[/tcp|udp|sctp]", spec, why)
	}
	rest, proto, _ := strings.Cut(spec, "/")
	if proto == "" {
		proto = "tcp"
	}
	if proto != "tcp" && proto != "udp" && proto != "sctp" { // docker's three
		return nil, bad("protocol must be tcp, udp or sctp")
	}
	hostIP, hostPorts, ctrPorts := splitPortSpec(rest)
	if hostIP != "" {
		ip, err := netip.ParseAddr(strings.Trim(hostIP, "[]"))
		if err != nil || !ip.Is4() {
			return nil, bad("host IP must be an IPv4 address")
		}
		hostIP = ip.String()
	}
	cLo, cHi, err := parseRange(ctrPorts)
	if err != nil {
		return nil, bad(err.Error())
	}
	var out []PortMapping
	for c := int(cLo); c <= int(cHi); c++ {
		out = append(out, PortMapping{HostIP: hostIP, ContainerPort: uint16(c), Proto: proto})
	}
	if hostPorts == "" {
		return out, nil
	}
	hLo, hHi, err := parseRange(hostPorts)
	if err != nil {
		return nil, bad(err.Error())
	}
	if hHi-hLo != cHi-cLo {
		return nil, bad("host and container port ranges differ in size")
	}
	for i := range out {
		out[i].HostPort = hLo + uint16(i)
	}
	return out, nil
}

// splitPortSpec splits "ip:host:ctr", "host:ctr" or "ctr".
func splitPortSpec(s string) (ip, host, ctr string) {
	parts := strings.Split(s, ":")
	switch len(parts) {
	case 1:
		return "", "", parts[0]
	case 2:
		return "", parts[0], parts[1]
	}
	n := len(parts)
	return strings.Join(parts[:n-2], ":"), parts[n-2], parts[n-1]
}

func parseRange(s string) (uint16, uint16, error) {
	lo, hi, isRange := strings.Cut(s, "-")
	a, err := strconv.ParseUint(lo, 10, 16)
	if err != nil || a == 0 {
		return 0, 0, fmt.Errorf("port %q is not a number from 1 to 65535", lo)
	}
	if !isRange {
		return uint16(a), uint16(a), nil
	}
	b, err := strconv.ParseUint(hi, 10, 16)
	if err != nil || b < a {
		return 0, 0, fmt.Errorf("range %q must be LOW-HIGH", s)
	}
	return uint16(a), uint16(b), nil
}

// ExposedPorts turns an image's EXPOSE set ("80/tcp") into mappings with
// HostPort 0, which start replaces by a free port, for -P.
func ExposedPorts(exposed map[string]struct{}) ([]PortMapping, error) {
	keys := make([]string, 0, len(exposed))
	for k := range exposed {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return ParsePorts(keys)
}
