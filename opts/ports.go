package opts

import (
	"strconv"

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
