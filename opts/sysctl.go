package opts

import (
	"fmt"
	"strings"

	"github.com/ctr-lite/ctr-lite/netsetup"
	"github.com/ctr-lite/ctr-lite/state"
)

// ipcSysctls are docker's namespaced kernel.* sysctls (those of the IPC
// namespace); fs.mqueue.* belongs to it too, net.* to the network's.
var ipcSysctls = map[string]bool{
	"kernel.msgmax": true, "kernel.msgmnb": true, "kernel.msgmni": true, "kernel.sem": true,
	"kernel.shmall": true, "kernel.shmmax": true, "kernel.shmmni": true, "kernel.shm_rmid_forced": true,
}

// Sysctls sets --sysctl KEY=VALUE in *p: only docker's namespaced set,
// since any other would change the host's kernel.
func Sysctls(p *map[string]string) Value {
	return &value{typ: "list", set: func(s string) error {
		k, v, ok := strings.Cut(s, "=")
		if !ok || k == "" {
			return fmt.Errorf("invalid --sysctl %q: want KEY=VALUE", s)
		}
		if sysctlNamespace(k) == "" {
			return fmt.Errorf("invalid --sysctl %q: not a namespaced sysctl (only kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*, net.*), so it would change the host's", k)
		}
		if *p == nil {
			*p = map[string]string{}
		}
		(*p)[k] = v
		return nil
	}}
}

// sysctlNamespace is "ipc" or "net" for a sysctl a container may set in
// its own namespace, "" for any other.
func sysctlNamespace(k string) string {
	switch {
	case ipcSysctls[k], strings.HasPrefix(k, "fs.mqueue.") && len(k) > len("fs.mqueue."):
		return "ipc"
	case strings.HasPrefix(k, "net.") && len(k) > len("net."):
		return "net"
	}
	return ""
}

// validateSysctls refuses sysctls of a namespace the container does not
// have to itself: it would set the host's or another container's.
func validateSysctls(hc *state.HostConfig) error {
	for k := range hc.Sysctls {
		switch sysctlNamespace(k) {
		case "net":
			if hc.NetworkMode == netsetup.ModeHost || strings.HasPrefix(hc.NetworkMode, netsetup.ModeContainer) {
				return fmt.Errorf("invalid --sysctl %q: net.* sysctls need a private network namespace, not --network %s", k, hc.NetworkMode)
			}
		case "ipc":
			if hc.IpcMode == "host" || strings.HasPrefix(hc.IpcMode, ModeContainer) {
				return fmt.Errorf("invalid --sysctl %q: IPC sysctls need a private IPC namespace, not --ipc %s", k, hc.IpcMode)
			}
		}
	}
	return nil
}
