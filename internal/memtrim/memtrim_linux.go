// Package memtrim lets the kernel take back the pages of this program's
// code and read-only data that its start touched, for a process that then
// waits for days (a monitor, a waiter) with only its wait loop's pages
// resident. Standard library and x/sys only: the small waiter uses it.
package memtrim

import (
	"bufio"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// DropCodePages advises the executable's read-only mappings (never
// writable ones: dropping a clean read-only page only means reading it
// again if it is ever needed). Measured on this kernel (6.18, ext4 with
// large folios): MADV_DONTNEED alone is undone at once by fault-around,
// which maps the whole cached neighbourhood of the next touched page;
// MADV_RANDOM (no read-ahead on a re-fault) then MADV_PAGEOUT (out of the
// page cache too, when no other process maps the page) keeps more out.
func DropCodePages() {
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
			unix.Syscall(unix.SYS_MADVISE, lo, hi-lo, unix.MADV_RANDOM)
			unix.Syscall(unix.SYS_MADVISE, lo, hi-lo, unix.MADV_PAGEOUT)
		}
	}
}

func parseRange(s string) (uintptr, uintptr, bool) {
	a, b, ok := strings.Cut(s, "-")
	lo, err1 := strconv.ParseUint(a, 16, 64)
	hi, err2 := strconv.ParseUint(b, 16, 64)
	return uintptr(lo), uintptr(hi), ok && err1 == nil && err2 == nil && hi > lo
}
