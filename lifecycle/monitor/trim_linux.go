package monitor

import (
	"bufio"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// dropCodePages lets the kernel take back the pages of this binary's code
// and read-only data that starting a container touched: the monitor then
// waits for days with only what its wait loop uses resident. Only
// read-only mappings of the executable are advised, never writable ones:
// dropping a clean read-only page just means reading it again from the
// page cache if it is ever needed.
func dropCodePages() {
	self, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return
	}
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || fields[5] != self || strings.Contains(fields[1], "w") {
			continue
		}
		if lo, hi, ok := parseRange(fields[0]); ok {
			// The raw call: these addresses are not Go memory, so no slice.
			unix.Syscall(unix.SYS_MADVISE, lo, hi-lo, unix.MADV_DONTNEED)
		}
	}
}

func parseRange(s string) (uintptr, uintptr, bool) {
	a, b, ok := strings.Cut(s, "-")
	lo, err1 := strconv.ParseUint(a, 16, 64)
	hi, err2 := strconv.ParseUint(b, 16, 64)
	return uintptr(lo), uintptr(hi), ok && err1 == nil && err2 == nil && hi > lo
}
