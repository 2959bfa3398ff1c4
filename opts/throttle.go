package opts

import (
	"fmt"
	"strconv"
	"strings"

	units "github.com/docker/go-units"

	"github.com/ctr-lite/ctr-lite/state"
)

// Throttles is --device-read-bps and --device-write-bps (DEV:RATE, RATE
// a size like 1mb) or with iops the -iops flags (DEV:N), as docker's.
func Throttles(p *[]state.ThrottleDevice, flag string, iops bool) Value {
	return &value{typ: "list", set: func(s string) error {
		dev, rate, ok := strings.Cut(s, ":")
		var n int64
		var err error
		if iops {
			n, err = strconv.ParseInt(rate, 10, 64)
		} else {
			n, err = units.RAMInBytes(rate)
		}
		if !ok || !strings.HasPrefix(dev, "/dev/") || err != nil || n < 0 {
			return fmt.Errorf("invalid %s %q: want DEVICE:RATE with a path under /dev, e.g. /dev/sda:1mb", flag, s)
		}
		*p = append(*p, state.ThrottleDevice{Path: dev, Rate: uint64(n)})
		return nil
	}}
}

// WeightDevices is --blkio-weight-device DEV:WEIGHT (10-1000).
func WeightDevices(p *[]state.WeightDevice) Value {
	return &value{typ: "list", set: func(s string) error {
		dev, w, ok := strings.Cut(s, ":")
		n, err := strconv.ParseUint(w, 10, 16)
		if !ok || !strings.HasPrefix(dev, "/dev/") || err != nil || n < 10 || n > 1000 {
			return fmt.Errorf("invalid --blkio-weight-device %q: want DEVICE:WEIGHT, a path under /dev and 10-1000", s)
		}
		*p = append(*p, state.WeightDevice{Path: dev, Weight: uint16(n)})
		return nil
	}}
}
