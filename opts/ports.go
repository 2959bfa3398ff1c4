package opts

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ctr-lite/ctr-lite/netsetup"
	"github.com/ctr-lite/ctr-lite/state"
)

// ParsePublish adds one -p value to ports, in docker's PortBindings form:
// HostPort "" means a free port chosen at start.
func ParsePublish(spec string, ports *state.PortMap) error {
	ms, err := netsetup.ParsePorts([]string{spec})
	if err != nil {
		return err
	}
	if *ports == nil {
		*ports = state.PortMap{}
	}
	for _, m := range ms {
		b := state.PortBinding{HostIP: m.HostIP}
		if m.HostPort != 0 {
			b.HostPort = strconv.Itoa(int(m.HostPort))
		}
		key := state.Port{Number: m.ContainerPort, Proto: m.Proto}
		(*ports)[key] = append((*ports)[key], b)
	}
	return nil
}

// Expose adds --expose PORT[-END][/PROTO] to *p as "80/tcp" keys.
func Expose(p *map[string]struct{}) Value {
	return &value{typ: "list", set: func(s string) error {
		ms, err := netsetup.ParsePorts([]string{s})
		if err == nil && strings.Contains(s, ":") {
			err = fmt.Errorf("a host part is for -p")
		}
		if err != nil {
			return fmt.Errorf("invalid --expose %q: want PORT[-END][/tcp|udp|sctp]: %w", s, err)
		}
		if *p == nil {
			*p = map[string]struct{}{}
		}
		for _, m := range ms {
			(*p)[m.Key()] = struct{}{}
		}
		return nil
	}}
}
