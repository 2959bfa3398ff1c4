package opts

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// SignalNumber reads a signal as docker takes it (HUP, SIGHUP, hup or
// 1); 0 means it is none.
func SignalNumber(s string) unix.Signal {
	name := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "SIG")
	if n, err := strconv.Atoi(name); err == nil {
		if unix.SignalName(unix.Signal(n)) == "" {
			return 0
		}
		return unix.Signal(n)
	}
	if name == "" {
		return 0
	}
	return unix.SignalNum("SIG" + name)
}

// ParseSignal checks a signal and returns it as runc takes it: the name
// without SIG, or the number.
func ParseSignal(s string) (string, error) {
	if SignalNumber(s) == 0 {
		return "", fmt.Errorf("invalid signal %q: use a name such as TERM, HUP, KILL, or a number", s)
	}
	return strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "SIG"), nil
}

// SameSignal compares two signals by number, however each is written.
func SameSignal(a, b string) bool {
	na := SignalNumber(a)
	return na != 0 && na == SignalNumber(b)
}
