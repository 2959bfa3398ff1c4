package specgen

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/ctr-lite/ctr-lite/state"
)

// blockIOLimits adds the per-device weights and throttles to res, each
// device path turned into its major:minor as docker does.
func blockIOLimits(res *specs.LinuxResources, hc *state.HostConfig) error {
	if len(hc.BlkioWeightDevice)+len(hc.BlkioDeviceReadBps)+len(hc.BlkioDeviceWriteBps)+
		len(hc.BlkioDeviceReadIOps)+len(hc.BlkioDeviceWriteIOps) == 0 {
		return nil
	}
	if res.BlockIO == nil {
		res.BlockIO = &specs.LinuxBlockIO{}
	}
	b := res.BlockIO
	for _, w := range hc.BlkioWeightDevice {
		major, minor, err := blockDevice(w.Path, "--blkio-weight-device")
		if err != nil {
			return err
		}
		weight := w.Weight
		d := specs.LinuxWeightDevice{Weight: &weight}
		d.Major, d.Minor = major, minor
		b.WeightDevice = append(b.WeightDevice, d)
	}
	for _, t := range []struct {
		flag string
		in   []state.ThrottleDevice
		out  *[]specs.LinuxThrottleDevice
	}{
		{"--device-read-bps", hc.BlkioDeviceReadBps, &b.ThrottleReadBpsDevice},
		{"--device-write-bps", hc.BlkioDeviceWriteBps, &b.ThrottleWriteBpsDevice},
		{"--device-read-iops", hc.BlkioDeviceReadIOps, &b.ThrottleReadIOPSDevice},
		{"--device-write-iops", hc.BlkioDeviceWriteIOps, &b.ThrottleWriteIOPSDevice},
	} {
		for _, dev := range t.in {
			major, minor, err := blockDevice(dev.Path, t.flag)
			if err != nil {
				return err
			}
			d := specs.LinuxThrottleDevice{Rate: dev.Rate}
			d.Major, d.Minor = major, minor
			*t.out = append(*t.out, d)
		}
	}
	return nil
}

// blockDevice is path's major and minor; it must be a block device.
func blockDevice(path, flag string) (int64, int64, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return 0, 0, fmt.Errorf("%s %s: %w", flag, path, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFBLK {
		return 0, 0, fmt.Errorf("%s %s: not a block device", flag, path)
	}
	return int64(unix.Major(st.Rdev)), int64(unix.Minor(st.Rdev)), nil
}
