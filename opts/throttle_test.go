package opts

import (
	"testing"

	"github.com/ctr-lite/ctr-lite/state"
)

func TestThrottles(t *testing.T) {
	var bps []state.ThrottleDevice
	if err := Throttles(&bps, "--device-read-bps", false).Set("/dev/sda:1mb"); err != nil || bps[0].Rate != 1<<20 {
		t.Errorf("%v %v", err, bps)
	}
	for _, bad := range []string{"sda:1mb", "/dev/sda", "/dev/sda:x"} {
		if Throttles(&bps, "--device-read-bps", false).Set(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	var w []state.WeightDevice
	if WeightDevices(&w).Set("/dev/sda:5") == nil || WeightDevices(&w).Set("/dev/sda:500") != nil {
		t.Errorf("weights %v", w)
	}
}
