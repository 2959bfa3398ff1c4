package opts

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ctr-lite/ctr-lite/state"
)

// ModeContainer prefixes a namespace mode that joins another container's
// namespace (container:NAME).
const ModeContainer = "container:"

// validateNamespaces checks --pid, --ipc, --uts and --cgroupns against
// docker's modes.
func validateNamespaces(hc *state.HostConfig) error {
	for _, f := range []struct {
		flag, mode string
		modes      []string
		join       bool
	}{
		{"--pid", hc.PidMode, []string{"host"}, true},
		{"--ipc", hc.IpcMode, []string{"host", "private", "shareable", "none"}, true},
		{"--uts", hc.UTSMode, []string{"host"}, false},
		{"--cgroupns", hc.CgroupnsMode, []string{"host", "private"}, false},
	} {
		if f.mode == "" || slices.Contains(f.modes, f.mode) {
			continue
		}
		if name, ok := strings.CutPrefix(f.mode, ModeContainer); ok && f.join && name != "" {
			continue
		}
		want := strings.Join(f.modes, ", ")
		if f.join {
			want += ", container:NAME"
		}
		return fmt.Errorf("invalid %s %q: want %s", f.flag, f.mode, want)
	}
	return nil
}
