package opts

import (
	"errors"
	"fmt"

	"github.com/ctr-lite/ctr-lite/netsetup"
	"github.com/ctr-lite/ctr-lite/state"
)

// minMemory is the least memory limit docker accepts.
const minMemory = 6 << 20

// Validate checks what no single flag can: the flags together.
func Validate(hc *state.HostConfig) error {
	if hc.NetworkMode == "" {
		hc.NetworkMode = netsetup.ModeBridge
	}
	if err := netsetup.ValidateMode(hc.NetworkMode); err != nil {
		return err
	}
	if hc.IPAddress != "" && !netsetup.IsBridged(hc.NetworkMode) {
		return fmt.Errorf("invalid --ip %q: a fixed address needs a bridge or user-defined network", hc.IPAddress)
	}
	if hc.RestartPolicy.Name == "" {
		hc.RestartPolicy.Name = "no"
	}
	if hc.RestartPolicy.Name != "no" && hc.AutoRemove {
		return errors.New("conflicting options: --restart and --rm: a removed container cannot be restarted")
	}
	return validateResources(hc)
}

func validateResources(hc *state.HostConfig) error {
	if hc.MemorySwap > 0 && (hc.Memory == 0 || hc.MemorySwap < hc.Memory) {
		return fmt.Errorf("--memory-swap %d must be at least --memory (it is memory plus swap), and needs --memory", hc.MemorySwap)
	}
	if hc.Memory > 0 && hc.Memory < minMemory {
		return fmt.Errorf("--memory %d is below the 6MB a container needs", hc.Memory)
	}
	if hc.CpuShares < 0 {
		return fmt.Errorf("--cpu-shares %d: want a positive number (1024 is one CPU's weight)", hc.CpuShares)
	}
	return nil
}

// PortsDiscarded reports whether -p/-P were given for a mode without its
// own address, where docker warns that they are ignored.
func PortsDiscarded(hc *state.HostConfig) bool {
	return (len(hc.PortBindings) > 0 || hc.PublishAllPorts) && hc.NetworkMode != "" && !netsetup.IsBridged(hc.NetworkMode)
}
