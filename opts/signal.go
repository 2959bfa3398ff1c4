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
		if unix.SignalName(unix.Signal(n)) == "" && (n < sigRTMin || n > sigRTMax) {
			return 0
		}
		return unix.Signal(n)
	}
	if n := realtimeSignal(name); n != 0 {
		return n
	}
	if name == "" {
		return 0
	}
	return unix.SignalNum("SIG" + name)
}

// The real-time signals as glibc numbers them (the C library keeps the
// kernel's first two), which is how docker, runc and systemd name them:
// systemd's stop signal is SIGRTMIN+3, 37.
const sigRTMin, sigRTMax = 34, 64

// realtimeSignal reads RTMIN, RTMIN+N, RTMAX and RTMAX-N; 0 is none.
func realtimeSignal(name string) unix.Signal {
	base, off, sign := name, "", 1
	if b, o, ok := strings.Cut(name, "+"); ok {
		base, off = b, o
	} else if b, o, ok := strings.Cut(name, "-"); ok {
		base, off, sign = b, o, -1
	}
	n := 0
	if off != "" {
		var err error
		if n, err = strconv.Atoi(off); err != nil || n < 0 {
			return 0
		}
	}
	var v int
	switch {
	case base == "RTMIN" && sign > 0:
		v = sigRTMin + n
	case base == "RTMAX" && (sign < 0 || off == ""):
		v = sigRTMax - n
	default:
		return 0
	}
	if v < sigRTMin || v > sigRTMax {
		return 0
	}
	return unix.Signal(v)
}

// ParseSignal checks a signal and returns it as runc takes it: the name
// without SIG, or the number.
func ParseSignal(s string) (string, error) {
	if SignalNumber(s) == 0 {
		return "", fmt.Errorf("invalid signal %q: use a name such as TERM, HUP, KILL, or a number", s)
	}
	name := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "SIG")
	if n := realtimeSignal(name); n != 0 {
		return strconv.Itoa(int(n)), nil // runc reads a number whatever it calls RTMIN+N
	}
	return name, nil
}

// SameSignal compares two signals by number, however each is written.
func SameSignal(a, b string) bool {
	na := SignalNumber(a)
	return na != 0 && na == SignalNumber(b)
}
